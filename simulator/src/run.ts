import { createHash } from 'node:crypto';
import type { TelemetryRecord } from '@servicetower/domain';
import type { IngestClient } from './client.js';
import { planDeliveries, summariseDeliveries } from './delivery.js';
import { generateHistory } from './history.js';
import { FLEET_MODELS, generateNetwork } from './network.js';
import { Random } from './random.js';
import { engineDeviceId, fleetTelemetry, liveTelemetry, readCmapss, replayTelemetry, type CmapssEngine, type Fleet, type ReplaySchedule } from './telemetry/index.js';
import { computeTruth, type Truth } from './truth.js';
import { coalesce, inParallel, sendDeliveries, uploadNetwork } from './upload.js';
import type { Delivery, EventLog, Network, SimulationSettings } from './types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Readings per telemetry request, about what a device gateway sends at once. */
const READINGS_PER_REQUEST = 5_000;

export interface RunOptions {
  settings: SimulationSettings;
  client: IngestClient;
  /** Events per request. */
  batchSize: number;
  concurrency: number;
  /** Folder of the NASA C-MAPSS files; null: no engines. */
  cmapssDir: string | null;
  /** Fleet telemetry sampling during the backfill. */
  telemetryEveryMs: number;
  log: (line: string) => void;
  /** false: rebuild the run's state without sending anything (the API already holds it). */
  send?: boolean;
  /** Events are generated this far past `settings.end` too, for live streaming to send as they fall due. */
  liveHorizonMs?: number;
}

export interface Backfill {
  network: Network;
  events: EventLog;
  truth: Truth;
  fleet: Fleet;
  engines: Array<{ engine: CmapssEngine; deviceId: string; schedule: ReplaySchedule }>;
  /** Deliveries planned after `settings.end`, sent by live streaming when they fall due. */
  pending: Delivery[];
  summary: Record<string, unknown>;
}

/**
 * History up to `settings.end`: the network, every event (with the planned late, shuffled and
 * duplicate deliveries), the fleet's telemetry and the engines' flights so far, all through the API.
 * Returns what live streaming needs to go on, and the ground truth of what was sent.
 */
export async function backfill(options: RunOptions): Promise<Backfill> {
  const { settings, client, log } = options;
  const began = Date.now();
  const send = options.send ?? true;
  const rng = new Random(settings.seed);
  const network = generateNetwork(settings, rng.child('network'));
  const horizon = { ...settings, end: settings.end + (options.liveHorizonMs ?? 0) };
  const history = generateHistory(network, horizon, rng.child('history'));
  const planned = planDeliveries(history.events, horizon, rng.child('delivery'), options.batchSize, HOUR);
  // Without live streaming everything goes now, late deliveries too; live sends the later ones on time.
  const live = (options.liveHorizonMs ?? 0) > 0;
  const deliveries = live ? planned.filter((delivery) => delivery.sendAt <= settings.end) : planned;
  const pending = live ? planned.filter((delivery) => delivery.sendAt > settings.end) : [];
  const truth = computeTruth(network, history.events, { timeZone: settings.timeZone, start: settings.start, end: settings.end, targets: { hq_stock: 7, hq_procured: 4 } });
  const fleet: Fleet = { devices: network.devices, models: FLEET_MODELS, faults: history.faults };
  const engines = options.cmapssDir ? await placeEngines(options.cmapssDir, settings, rng.child('engines')) : [];
  let readings = 0;
  if (send) {
    const uploaded = await uploadNetwork(client, network, options.concurrency);
    log(`reference data: ${uploaded} items (${network.outlets.length} outlets, ${network.parts.length} parts, ${network.devices.length} devices)`);
    const requests = coalesce(deliveries, options.batchSize);
    const sent = await sendDeliveries(client, requests, runKey(settings), options.concurrency, (n) => {
      if (n % 500 === 0) log(`events: ${n} of ${requests.length} requests sent`);
    });
    log(`events: ${JSON.stringify(sent.records)} records in ${sent.deliveries} requests (${sent.retries} retries)`);
    const telemetryRng = rng.child('telemetry');
    for (let from = settings.start; from < settings.end; from += 7 * DAY) {
      const records = fleetTelemetry(fleet, { from, to: Math.min(from + 7 * DAY, settings.end), everyMs: options.telemetryEveryMs, next: () => telemetryRng.next(), timeZone: settings.timeZone });
      readings += await sendTelemetry(client, records, `${runKey(settings)}-fleet-${from}`, options.concurrency);
    }
    for (const { engine, deviceId, schedule } of engines) {
      const records = replayTelemetry(engine, deviceId, schedule, Number.NEGATIVE_INFINITY, settings.end);
      readings += await sendTelemetry(client, records, `${runKey(settings)}-${deviceId}`, options.concurrency);
    }
  }
  const summary = {
    seconds: Math.round((Date.now() - began) / 100) / 10,
    deliveries: summariseDeliveries(deliveries),
    readings,
    engines: engines.length,
    faults: history.faults.length,
  };
  log(`telemetry: ${readings} readings (${engines.length} engines); backfill took ${summary.seconds} s`);
  return { network, events: history.events, truth, fleet, engines, pending, summary };
}

/**
 * Each engine started flying some way into its recorded life before the run ended, so the fleet
 * shows engines young and old; its later flights come in live, one every `flightEveryMs`.
 */
async function placeEngines(dir: string, settings: SimulationSettings, rng: Random) {
  const units = await readCmapss(dir);
  const flightEveryMs = DAY;
  return units.map((engine) => {
    const cycles = engine.cycles.length;
    const flown = Math.max(1, Math.floor(cycles * rng.uniform(0.3, 0.85)));
    const flownByDays = Math.min(flown, Math.floor((settings.end - settings.start) / flightEveryMs));
    const schedule: ReplaySchedule = { startedAt: settings.end - (flownByDays - 1) * flightEveryMs, flightEveryMs, fromCycle: 1 };
    return { engine, deviceId: engineDeviceId(engine.unit), schedule };
  });
}

/** Cuts records into requests of about READINGS_PER_REQUEST readings and sends them; returns readings sent. */
async function sendTelemetry(client: IngestClient, records: readonly TelemetryRecord[], key: string, concurrency: number): Promise<number> {
  const requests: TelemetryRecord[][] = [];
  let current: TelemetryRecord[] = [];
  let size = 0;
  let total = 0;
  for (const record of records) {
    const readings = record.readings.reduce((n, sample) => n + Object.keys(sample.values).length, 0);
    if (size + readings > READINGS_PER_REQUEST && current.length > 0) {
      requests.push(current);
      current = [];
      size = 0;
    }
    current.push(record);
    size += readings;
    total += readings;
  }
  if (current.length > 0) requests.push(current);
  await inParallel(requests, concurrency, async (request, i) => {
    await client.send('telemetry', request, `${key}-${i}`);
  });
  return total;
}

export interface LiveOptions extends RunOptions {
  /** Fleet samples per device per minute. */
  samplesPerMinute: number;
  /** Wall time between engine flights. */
  flightEveryMs: number;
  tickMs: number;
  signal: AbortSignal;
}

/** After a backfill: the fleet's and the engines' telemetry as it happens, until `signal` aborts. */
export async function streamLive(state: Backfill, options: LiveOptions): Promise<void> {
  const rng = new Random(options.settings.seed).child('live');
  let since = Date.now();
  const engines = state.engines.map(({ engine, deviceId, schedule }) => ({
    engine, deviceId, schedule: { startedAt: since, flightEveryMs: options.flightEveryMs, fromCycle: lastFlown(schedule, options.settings.end) + 1 },
  }));
  options.log(`live: fleet at ${options.samplesPerMinute} samples/min per device, an engine flight every ${options.flightEveryMs / 1000} s, ${state.pending.length} event batches as they fall due`);
  let due = 0;
  while (!options.signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, options.tickMs));
    const until = Date.now();
    const first = due;
    while (due < state.pending.length && state.pending[due]!.sendAt <= until) due += 1;
    if (due > first) await sendDeliveries(options.client, state.pending.slice(first, due), `${runKey(options.settings)}-live-${first}`, options.concurrency);
    const records = [
      ...liveTelemetry(state.fleet, { from: since, to: until, samplesPerMinute: options.samplesPerMinute, next: () => rng.next(), timeZone: options.settings.timeZone }),
      ...engines.flatMap(({ engine, deviceId, schedule }) => replayTelemetry(engine, deviceId, schedule, since, until)),
    ];
    if (records.length > 0) await sendTelemetry(options.client, records, `live-${since}`, options.concurrency);
    since = until;
  }
}

function lastFlown(schedule: ReplaySchedule, end: number): number {
  return schedule.fromCycle + Math.floor((end - schedule.startedAt) / schedule.flightEveryMs);
}

/** Names a run by its settings, so that the same run sent twice reuses its Idempotency-Keys. */
function runKey(settings: SimulationSettings): string {
  return `sim-${createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16)}`;
}
