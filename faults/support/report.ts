// The fault table: printed, and written as JSON and Markdown to test-artifacts/faults/ (git-ignored).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ROOT } from './stack.js';
import type { ScenarioResult } from './scenario.js';

export const RESULTS_DIR = join(ROOT, 'test-artifacts', 'faults');

const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);
const outcomes = (counts: Record<string, number>) => Object.entries(counts).map(([outcome, n]) => `${outcome}×${n}`).join(' ') || '—';
const n = (x: number) => x.toLocaleString('en');

function rows(results: ScenarioResult[]): string[][] {
  return results.map((r) => {
    const t = r.verdict.tables;
    const events = t.service_order_event.acknowledged + t.parts_request_event.acknowledged + t.complaint.acknowledged;
    const eventsStored = t.service_order_event.stored + t.parts_request_event.stored + t.complaint.stored;
    const wrong = Object.values(t).reduce(
      (sum, x) => ({ missing: sum.missing + x.missing, twice: sum.twice + x.twice, extra: sum.extra + x.unacknowledged, doubt: sum.doubt + x.inDoubt }),
      { missing: 0, twice: 0, extra: 0, doubt: 0 },
    );
    return [
      r.name,
      outcomes(r.client.duringFault),
      `${n(r.client.retries)} (${r.client.replayed} replayed)`,
      seconds(r.times.repaired),
      seconds(r.times.firstAck),
      seconds(r.times.backlogStored),
      seconds(r.times.lastStored),
      `${n(events)} / ${n(eventsStored)}`,
      `${n(t.reading.acknowledged)} / ${n(t.reading.stored)}`,
      `${wrong.missing} / ${wrong.twice} / ${wrong.extra}${wrong.doubt > 0 ? ` (+${wrong.doubt} in doubt)` : ''}`,
      r.crashes > 0 ? `${r.crashes} (restarted)` : '0',
      r.ok ? 'ok' : 'FAIL',
    ];
  });
}

const HEADER = ['fault', 'client saw (fault → recovery)', 'retries', 'repaired', 'first ack', 'backlog stored', 'last stored', 'events ack / stored', 'readings ack / stored', 'missing / twice / unacked', 'crashes', ''];

export function table(results: ScenarioResult[]): string {
  const all = [HEADER, ...rows(results)];
  const widths = HEADER.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  return [line(all[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

export function markdown(results: ScenarioResult[], context: Record<string, string>): string {
  const cells = (row: string[]) => `| ${row.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  const lines = [
    `# Fault suite, ${context.date}`,
    '',
    Object.entries(context).filter(([k]) => k !== 'date').map(([k, v]) => `- ${k}: ${v}`).join('\n'),
    '',
    'Times are from the fault. *first ack*: the first try sent after the fault that was acknowledged; *backlog stored*: every record acknowledged before the fault is in the database;',
    '*last stored*: every acknowledged record of the scenario is in the database. Records: *missing* acknowledged but not stored, *twice* stored more than once, *unacked* stored but never acknowledged;',
    '*in doubt*: stored, of a batch the client gave up without an answer (its fate is unknown to the client, so stored or not are both correct).',
    '',
    cells(HEADER.map((h) => h || 'verdict')),
    cells(HEADER.map(() => '---')),
    ...rows(results).map(cells),
    '',
    ...results.flatMap((r) => [
      `## ${r.name}`, '', r.description, '',
      `- client, every try: ${outcomes(r.client.all)}; ${r.client.deliveries} batches, ${r.client.retries} retries, ${r.client.replayed} answers replayed, ${r.client.gaveUp} given up`,
      ...r.notes.map((note) => `- ${note}`),
      ...Object.entries(r.verdict.tables).map(([table, x]) => `- ${table}: ${n(x.acknowledged)} acknowledged, ${n(x.stored)} stored, ${x.missing} missing, ${x.twice} twice, ${x.unacknowledged} unacknowledged, ${x.inDoubt} of given-up batches`),
      ...r.problems.map((p) => `- **problem:** ${p}`),
      '',
    ]),
  ];
  return lines.join('\n');
}

export function machine(): Record<string, string> {
  return {
    machine: `${os.cpus().length} cores ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`,
    node: process.version,
  };
}

/** Writes <date>.json and <date>.md; returns their paths. */
export function writeResults(results: ScenarioResult[], context: Record<string, string>): string[] {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stem = join(RESULTS_DIR, context.date!.replace(/[:.]/g, '').slice(0, 17));
  writeFileSync(`${stem}.json`, `${JSON.stringify({ ...context, scenarios: results }, null, 2)}\n`);
  writeFileSync(`${stem}.md`, `${markdown(results, context)}\n`);
  return [`${stem}.json`, `${stem}.md`];
}
