// One fault scenario: load running, a fault injected and repaired, the load stopped, then the
// database compared with the ledger; and what the client saw, with the recovery times.
import { SourceClient } from './client.js';
import { allStored, DEFAULT_LOAD, Load, verify, type LoadOptions, type Verdict } from './load.js';
import type { Stack } from './stack.js';
import { sleep, waitFor } from './wait.js';

export interface FaultContext {
  stack: Stack;
  load: Load;
  /** Notes for the report (what the fault found, e.g. jobs in the dead worker's hands). */
  note(text: string): void;
  /** Resolves once the client has seen a try fail (anything but 202) that ended after `since`; false after timeoutMs. */
  clientNoticed(since: number, timeoutMs: number): Promise<boolean>;
}

export interface Fault {
  name: string;
  /** What is done, in a few words, for the table. */
  description: string;
  load?: Partial<Omit<LoadOptions, 'tag'>>;
  /** Injects the fault and repairs it; returns when the fault began and when it was repaired. */
  inject(context: FaultContext): Promise<{ faultAt: number; repairedAt: number }>;
}

export interface ScenarioResult {
  name: string;
  description: string;
  ok: boolean;
  problems: string[];
  notes: string[];
  client: {
    deliveries: number;
    attempts: number;
    retries: number;
    /** Outcome of every try made from the fault until recovery: status code or network error → count. */
    duringFault: Record<string, number>;
    /** Outcome of every try of the scenario. */
    all: Record<string, number>;
    replayed: number;
    gaveUp: number;
  };
  /** Processes that crashed during the scenario (and were restarted). */
  crashes: number;
  /** Milliseconds from the fault. */
  times: { repaired: number; firstAck: number | null; backlogStored: number | null; lastStored: number | null };
  verdict: Verdict;
}

const WARM_UP_ACKS = 12;
const ACKS_AFTER_REPAIR = 12;
const STORE_TIMEOUT_MS = 150_000;

export async function runScenario(stack: Stack, fault: Fault, tag: string, log: (line: string) => void): Promise<{ result: ScenarioResult; load: Load }> {
  const client = new SourceClient(stack.url, stack.key);
  const load = new Load(client, { ...DEFAULT_LOAD, ...fault.load, tag });
  const notes: string[] = [];
  const problems: string[] = [];
  const context: FaultContext = {
    stack,
    load,
    note: (text) => {
      notes.push(text);
      log(`  ${fault.name}: ${text}`);
    },
    clientNoticed: async (since, timeoutMs) =>
      waitFor(() => load.attempts.some((a) => a.endedAt >= since && a.outcome !== '202'), timeoutMs, 'a failed try', 20).then(() => true, () => false),
  };

  const scenarioStart = Date.now();
  load.start();
  let faultAt = 0;
  let repairedAt = 0;
  let loadStoppedAt = 0;
  try {
    // Warm: batches of every lane under way and acknowledged.
    await waitFor(() => load.entries.filter((e) => e.delivery.ackAt !== null).length >= WARM_UP_ACKS, 60_000, 'the first acknowledgements');
    ({ faultAt, repairedAt } = await fault.inject(context));
    log(`  ${fault.name}: fault at +0, repaired at +${((repairedAt - faultAt) / 1000).toFixed(1)} s`);

    // The records acknowledged before the fault, stored: polled from the fault on, alongside the rest.
    let backlogStoredAt: number | null = null;
    const backlog = load.acknowledged(faultAt);
    const backlogWatch = (async () => {
      for (const deadline = Date.now() + STORE_TIMEOUT_MS; Date.now() < deadline; await sleep(200)) {
        if (await allStored(stack.db, backlog).catch(() => false)) {
          backlogStoredAt = Date.now();
          return;
        }
      }
    })();

    // Recovered: batches first sent after the repair are acknowledged again.
    await waitFor(
      () => load.entries.filter((e) => e.delivery.ackAt !== null && e.delivery.attempts[0]!.sentAt >= repairedAt).length >= ACKS_AFTER_REPAIR,
      120_000, `${ACKS_AFTER_REPAIR} batches acknowledged after the repair`,
    );
    await load.stop();
    loadStoppedAt = Date.now();

    // Every acknowledged record stored, or the workers done with every job (then verify says what is missing).
    const everything = load.acknowledged();
    let lastStoredAt: number | null = null;
    let idleSince: number | null = null;
    await waitFor(async () => {
      if (await allStored(stack.db, everything).catch(() => false)) {
        lastStoredAt = Date.now();
        return true;
      }
      // Nothing left in the queues for 10 s and still not all stored: verify says what is missing.
      const jobs = await stack.jobCounts();
      idleSince = jobs?.pending === 0 ? (idleSince ?? Date.now()) : null;
      return idleSince !== null && Date.now() - idleSince > 10_000;
    }, STORE_TIMEOUT_MS, 'every acknowledged record to be stored', 200).catch((error: Error) => problems.push(error.message));
    if (lastStoredAt === null) problems.push('not every acknowledged record was stored, and the queues hold no more jobs');
    await backlogWatch;
    // Jobs still in the queues once the records are stored would be work done twice or left over: wait them out.
    await waitFor(async () => (await stack.jobCounts())?.pending === 0, 60_000, 'the ingestion queues to drain', 200).catch((error: Error) => problems.push(error.message));

    const verdict = await verify(stack.db, load);
    const jobs = await stack.jobCounts();
    if (jobs && jobs.failed > 0) problems.push(`${jobs.failed} ingestion jobs failed for good: ${JSON.stringify(jobs.byQueue)}`);
    if (!verdict.ok) problems.push(`the database does not hold exactly the acknowledged records: ${verdict.examples.join('; ')}`);
    // Every batch must be acknowledged in the end (a claim its first request left is a lease that runs out).
    const givenUp = load.givenUp();
    if (givenUp.length > 0) problems.push(`${givenUp.length} batches never acknowledged, e.g. ${givenUp[0]!.stream}: ${givenUp[0]!.gaveUp}`);
    // A process that ended on its own was started again by the stack, as a supervisor would. A process that fails
    // while starting (its database or Redis still down) is retried by the supervisor; a crash of a running one is a problem.
    for (const crash of stack.crashes.filter((c) => c.at >= scenarioStart)) {
      const pgClient = /Emitted 'error' event on Client instance/.test(crash.output);
      const lines = [...crash.output.matchAll(/^\s*(?:\w*Error|error)\b:? .*$/gm)].map((m) => m[0].trim());
      const reason = [lines.at(-1), pgClient ? "emitted 'error' event on a pg Client" : undefined].filter(Boolean).join(', ') || 'no error in its output';
      const what = crash.wasReady ? 'crashed' : 'failed while starting';
      const text = `${crash.name} (pid ${crash.pid}) ${what} at +${((crash.at - faultAt) / 1000).toFixed(1)} s (${crash.exit.signal ?? `exit ${crash.exit.code}`}: ${reason.slice(0, 200)}) and was restarted`;
      notes.push(text);
      if (crash.wasReady) problems.push(text);
    }
    const attempts = load.attempts;
    const recoveredAt = Math.min(...load.entries.filter((e) => e.delivery.ackAt !== null && e.delivery.attempts[0]!.sentAt >= repairedAt).map((e) => e.delivery.ackAt!));
    const firstAck = attempts.filter((a) => a.sentAt >= faultAt && a.outcome === '202').reduce<number | null>((first, a) => (first === null || a.endedAt < first ? a.endedAt : first), null);
    const since = (t: number | null) => (t === null ? null : t - faultAt);
    const result: ScenarioResult = {
      name: fault.name,
      description: fault.description,
      ok: problems.length === 0,
      problems,
      notes,
      client: {
        deliveries: load.entries.length,
        attempts: attempts.length,
        retries: attempts.length - load.entries.length,
        duringFault: tally(attempts.filter((a) => a.endedAt >= faultAt && a.sentAt <= recoveredAt)),
        all: tally(attempts),
        replayed: attempts.filter((a) => a.replayed).length,
        gaveUp: givenUp.length,
      },
      crashes: stack.crashes.filter((c) => c.at >= scenarioStart).length,
      times: { repaired: repairedAt - faultAt, firstAck: since(firstAck), backlogStored: since(backlogStoredAt), lastStored: since(lastStoredAt) },
      verdict,
    };
    return { result, load };
  } finally {
    if (!loadStoppedAt) await load.stop().catch(() => {});
    client.close();
  }
}

function tally(attempts: { outcome: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of attempts) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
