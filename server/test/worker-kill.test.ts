// A worker process killed with SIGKILL in the middle of its jobs loses nothing and
// stores nothing twice: its transactions roll back, BullMQ hands the jobs it held to the
// restarted worker once their locks lapse, and the writes are idempotent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '@servicetower/domain';
import { bearer, seedReference, startHarness, waitFor, type Harness } from './support/harness.js';
import { configEnv, ProcessGroup, type NodeProcess } from './support/processes.js';

const DEVICES = ['eng-1', 'eng-2'];
const RECORDS = 1000;
const SAMPLES_PER_RECORD = 100;
const SENSORS = ['s2', 's3', 's4'];
const READINGS = RECORDS * SAMPLES_PER_RECORD * SENSORS.length; // 300,000, in 150 jobs of 2,000
const ORDERS = 1500;
const START = Date.parse('2026-03-01T00:00:00Z');

let h: Harness;
const processes = new ProcessGroup();
beforeAll(async () => {
  h = await startHarness({ workers: false, env: { INGEST_JOB_READINGS: '2000', INGEST_JOB_EVENTS: '100' } });
  await seedReference(h.app, h.adminKey);
});
afterAll(async () => {
  await processes.stopAll();
  await h?.close();
});

function startWorker(): NodeProcess {
  return processes.start(
    'workers',
    'workers/src/main.ts',
    configEnv(h.config, { WORKER_LOCK_MS: '2000', WORKER_CONCURRENCY: '2', WORKER_METRICS_PORT: '0', LOG_LEVEL: 'warn' }),
  );
}

/** Record r belongs to one device and covers its own stretch of seconds, so every reading is distinct. */
function telemetryNdjson(): string {
  const lines: string[] = [];
  for (let r = 0; r < RECORDS; r++) {
    const readings = Array.from({ length: SAMPLES_PER_RECORD }, (_, s) => ({
      at: new Date(START + (Math.floor(r / DEVICES.length) * SAMPLES_PER_RECORD + s) * 1000).toISOString(),
      values: { s2: 642 + (s % 30) / 10, s3: 1590 + (s % 20), s4: 1400 + (r % 40) },
    }));
    lines.push(JSON.stringify({ deviceId: DEVICES[r % DEVICES.length], readings }));
  }
  return lines.join('\n');
}

/** Three lifecycles, sent newest first so that the stored state cannot rely on arrival order. */
function serviceOrderEvents() {
  const events: object[] = [];
  const expected = new Map<string, string>();
  for (let i = 0; i < ORDERS; i++) {
    const orderId = `o-${i}`;
    const at = (hours: number) => new Date(START + i * 60_000 + hours * 3600_000).toISOString();
    const event = (n: number, type: string, hours: number, extra: object = {}) =>
      ({ eventId: `${orderId}-${n}`, orderId, type, at: at(hours), outletId: i % 2 ? 'gz-01' : 'bj-01', productLine: 'tv', ...extra });
    const lifecycle = [
      [event(1, 'created', 0, { channel: 'call_centre' }), event(2, 'assigned', 1, { technicianId: 't1' }), event(3, 'completed', 5, { laborCost: 30 })],
      [event(1, 'created', 0), event(2, 'assigned', 1, { technicianId: 't2' }), event(3, 'visit_started', 2)],
      [event(1, 'created', 0), event(2, 'cancelled', 3)],
    ][i % 3]!;
    events.push(...lifecycle.reverse());
    expected.set(orderId, ['completed', 'visit_started', 'cancelled'][i % 3]!);
  }
  return { events, expected };
}

async function ingest(stream: string, payload: string | object[], contentType: string) {
  const response = await h.app.inject({
    method: 'POST', url: `/api/v1/ingest/${stream}`, payload, headers: { ...bearer(h.adminKey), 'content-type': contentType },
  });
  expect(response.statusCode, response.body).toBe(202);
  return response.json<{ accepted: number; rejectedCount: number }>();
}

/** A wait that fails with what the worker wrote, which is where its reason will be. */
async function explained(worker: NodeProcess, wait: Promise<void>): Promise<void> {
  await wait.catch((error: Error) => {
    throw new Error(`${error.message}; the worker wrote:\n${worker.output()}`);
  });
}

const storedReadings = () => h.count('SELECT 1 FROM reading');

describe('a worker process killed mid-batch', () => {
  it('stores every record exactly once after it is restarted', async () => {
    const orders = serviceOrderEvents();
    expect(await ingest('telemetry', telemetryNdjson(), 'application/x-ndjson')).toMatchObject({ accepted: RECORDS, rejectedCount: 0 });
    expect(await ingest('service-orders', orders.events, 'application/json')).toMatchObject({ accepted: orders.events.length, rejectedCount: 0 });

    const first = startWorker();
    await explained(first, waitFor(async () => (await storedReadings()) >= READINGS / 10, 60_000, 'the worker to store a tenth of the readings'));
    const exit = await first.kill('SIGKILL');
    const storedAtKill = await storedReadings();
    const activeAtKill = await h.app.queues.telemetry.getActiveCount();
    console.log(`worker killed with ${storedAtKill} of ${READINGS} readings stored and ${activeAtKill} telemetry jobs in its hands`);
    expect(exit.signal).toBe('SIGKILL');
    // Killed mid-batch: some readings stored, not all, and jobs were in its hands.
    expect(storedAtKill).toBeGreaterThan(0);
    expect(storedAtKill).toBeLessThan(READINGS);
    expect(activeAtKill).toBeGreaterThan(0);

    const second = startWorker();
    await explained(second, h.drained(90_000));

    for (const name of QUEUE_NAMES) expect(await h.app.queues[name].getFailedCount(), `failed ${name} jobs`).toBe(0);
    const { rows: [readings] } = await h.pool.query<{ stored: number; distinct: number }>(
      'SELECT count(*)::int AS stored, count(DISTINCT (device_id, sensor, at))::int AS distinct FROM reading',
    );
    expect(readings).toEqual({ stored: READINGS, distinct: READINGS });
    const { rows: [events] } = await h.pool.query<{ stored: number; distinct: number }>(
      'SELECT count(*)::int AS stored, count(DISTINCT event_id)::int AS distinct FROM service_order_event',
    );
    expect(events).toEqual({ stored: orders.events.length, distinct: orders.events.length });
    const { rows: states } = await h.pool.query<{ order_id: string; status: string }>('SELECT order_id, status FROM service_order');
    expect(new Map(states.map((s) => [s.order_id, s.status]))).toEqual(orders.expected);
  }, 150_000);
});
