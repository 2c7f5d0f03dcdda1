// The ledger-driven load: lanes of a source system sending service-order events, parts events,
// complaints and telemetry, each record with its own id, and a ledger of what the API acknowledged.
import type pg from 'pg';
import { NORMAL_POLICY, type Attempt, type Delivery, type RetryPolicy, type SourceClient } from './client.js';
import { sleep } from './wait.js';

export const EVENT_TABLES = ['service_order_event', 'parts_request_event', 'complaint'] as const;
export type EventTable = (typeof EVENT_TABLES)[number];
const TABLE_OF = { 'service-orders': 'service_order_event', parts: 'parts_request_event', complaints: 'complaint' } as const;

export const SENSORS = Array.from({ length: 10 }, (_, s) => `s${String(s + 1).padStart(2, '0')}`);
/** Readings and events are stamped from here: three days ago, on the hour. */
export const BASE = Math.floor((Date.now() - 3 * 86_400_000) / 3_600_000) * 3_600_000;
const at = (ms: number) => new Date(BASE + ms).toISOString();

export interface LoadOptions {
  /** Prefix of every id this load sends, so that its records can be told apart in the database. */
  tag: string;
  telemetryLanes: number;
  devicesPerLane: number;
  /** Samples per device per request; each sample carries every sensor. */
  samples: number;
  ordersPerBatch: number;
  partsPerBatch: number;
  complaintsPerBatch: number;
  pauseMs: { telemetry: number; events: number };
}

export const DEFAULT_LOAD: Omit<LoadOptions, 'tag'> = {
  telemetryLanes: 2, devicesPerLane: 2, samples: 50, ordersPerBatch: 20, partsPerBatch: 15, complaintsPerBatch: 20,
  pauseMs: { telemetry: 150, events: 250 },
};

export const deviceIds = (options: Pick<LoadOptions, 'tag' | 'telemetryLanes' | 'devicesPerLane'>) =>
  Array.from({ length: options.telemetryLanes * options.devicesPerLane }, (_, d) => `${options.tag}-dev-${d + 1}`);

/** What one record of a batch was: an event id in a table, or a device's samples k0 … k1-1 (seconds after BASE). */
type Content = { table: EventTable; id: string } | { device: string; k0: number; k1: number };

interface Entry {
  delivery: Delivery;
  contents: Content[];
}

/** What was acknowledged: event ids per table, sample ranges per device. */
export interface Acknowledged {
  events: Record<EventTable, string[]>;
  readings: Map<string, [number, number][]>;
  readingCount: number;
}

export class Load {
  /** Every finished delivery, in the order they finished. */
  readonly entries: Entry[] = [];
  /** Every try, as it ended. */
  readonly attempts: (Attempt & { stream: string })[] = [];
  policy: RetryPolicy = NORMAL_POLICY;
  /** Tries sent and not yet answered. */
  inFlight = 0;
  private stopping = false;
  private lanes: Promise<void>[] = [];
  private failure: Error | null = null;

  constructor(
    private readonly client: SourceClient,
    readonly options: LoadOptions,
  ) {}

  get devices(): string[] {
    return deviceIds(this.options);
  }

  start(): void {
    const { tag, ordersPerBatch, partsPerBatch, complaintsPerBatch, samples, devicesPerLane } = this.options;
    let [order, request, complaint] = [0, 0, 0];
    this.lanes.push(this.lane('service-orders', this.options.pauseMs.events, () => Array.from({ length: ordersPerBatch }, () => {
      const n = order++;
      const orderId = `${tag}-o-${n}`;
      const base = { orderId, outletId: n % 2 ? 'f-out-2' : 'f-out-1', productLine: 'f-tv' };
      return [
        { ...base, eventId: `${tag}-so-${n}-1`, type: 'created', at: at(n * 5000), channel: 'call_centre' },
        { ...base, eventId: `${tag}-so-${n}-2`, type: 'assigned', at: at(n * 5000 + 3_600_000), technicianId: `t${n % 5}` },
        { ...base, eventId: `${tag}-so-${n}-3`, type: 'completed', at: at(n * 5000 + 3 * 3_600_000), laborCost: 40 },
      ];
    }).flat()));
    this.lanes.push(this.lane('parts', this.options.pauseMs.events, () => Array.from({ length: partsPerBatch }, () => {
      const n = request++;
      const base = { requestId: `${tag}-r-${n}`, outletId: 'f-out-1', partNo: 'F-P1', quantity: 1 + (n % 3), source: 'hq_stock' };
      return (['requested', 'shipped', 'received'] as const).map((type, i) => ({ ...base, eventId: `${tag}-pr-${n}-${i + 1}`, type, at: at(n * 5000 + i * 86_400_000) }));
    }).flat()));
    this.lanes.push(this.lane('complaints', this.options.pauseMs.events, () => Array.from({ length: complaintsPerBatch }, () => {
      const n = complaint++;
      const causes = ['parts_wait', 'repair_quality', 'turnaround', 'staff_conduct', 'other'];
      return { eventId: `${tag}-c-${n}`, complaintId: `${tag}-cm-${n}`, at: at(n * 7000), outletId: 'f-out-2', productLine: 'f-tv', cause: causes[n % 5] };
    })));
    for (let lane = 0; lane < this.options.telemetryLanes; lane++) {
      const devices = this.devices.slice(lane * devicesPerLane, (lane + 1) * devicesPerLane);
      const next = new Map(devices.map((d) => [d, 0]));
      this.lanes.push(this.lane('telemetry', this.options.pauseMs.telemetry, () => devices.map((deviceId) => {
        const k0 = next.get(deviceId)!;
        next.set(deviceId, k0 + samples);
        const readings = Array.from({ length: samples }, (_, s) => ({
          at: at((k0 + s) * 1000),
          values: Object.fromEntries(SENSORS.map((sensor, i) => [sensor, Math.round(((k0 + s) * 7 + i * 13) % 1000)])),
        }));
        return { deviceId, readings };
      })));
    }
  }

  /** Stops the lanes once their current batch is delivered (or given up). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.lanes);
    if (this.failure) throw this.failure;
  }

  /** What the API acknowledged, of the deliveries that finished by `until` (default: all). */
  acknowledged(until = Infinity): Acknowledged {
    const result: Acknowledged = { events: { service_order_event: [], parts_request_event: [], complaint: [] }, readings: new Map(), readingCount: 0 };
    for (const { delivery, contents } of this.entries) {
      if (delivery.ackAt === null || delivery.ackAt > until) continue;
      contents.forEach((content, i) => {
        if (!delivery.acked[i]) return;
        if ('table' in content) result.events[content.table].push(content.id);
        else {
          const ranges = result.readings.get(content.device) ?? [];
          ranges.push([content.k0, content.k1]);
          result.readings.set(content.device, ranges);
          result.readingCount += (content.k1 - content.k0) * SENSORS.length;
        }
      });
    }
    return result;
  }

  /** Deliveries the client gave up without an acknowledgement. */
  givenUp(): Delivery[] {
    return this.entries.map((e) => e.delivery).filter((d) => d.gaveUp !== null);
  }

  /** Records of the given-up deliveries: the client never learnt whether they were taken, so stored or not, both are possible. */
  inDoubt(): Set<string> {
    const keys = new Set<string>();
    for (const { delivery, contents } of this.entries) {
      if (delivery.gaveUp === null) continue;
      for (const content of contents) {
        if ('table' in content) keys.add(content.id);
        else for (let k = content.k0; k < content.k1; k++) keys.add(`${content.device}@${k}`);
      }
    }
    return keys;
  }

  private async lane(stream: 'service-orders' | 'parts' | 'complaints' | 'telemetry', pauseMs: number, make: () => object[]): Promise<void> {
    try {
      while (!this.stopping) {
        const records = make();
        const contents: Content[] = stream === 'telemetry'
          ? (records as { deviceId: string; readings: { at: string }[] }[]).map((r) => {
            const k0 = (Date.parse(r.readings[0]!.at) - BASE) / 1000;
            return { device: r.deviceId, k0, k1: k0 + r.readings.length };
          })
          : (records as { eventId: string }[]).map((r) => ({ table: TABLE_OF[stream], id: r.eventId }));
        const delivery = await this.client.deliver(stream, records, () => this.policy, {
          onSend: () => (this.inFlight += 1),
          onAttempt: (attempt) => {
            this.inFlight -= 1;
            this.attempts.push({ ...attempt, stream });
          },
        });
        this.entries.push({ delivery, contents });
        if (!this.stopping) await sleep(pauseMs);
      }
    } catch (error) {
      this.failure ??= error as Error;
      this.stopping = true;
    }
  }
}

/** Records of a load stored so far: rows per event table with its tag, and readings of its devices. */
export async function storedCounts(db: pg.Pool, load: Load): Promise<Record<EventTable | 'reading', number>> {
  const tag = `${load.options.tag}-`;
  const { rows: [row] } = await db.query<Record<EventTable | 'reading', string>>(
    `SELECT (SELECT count(*) FROM service_order_event WHERE starts_with(event_id, $1)) AS service_order_event,
            (SELECT count(*) FROM parts_request_event WHERE starts_with(event_id, $1)) AS parts_request_event,
            (SELECT count(*) FROM complaint WHERE starts_with(event_id, $1)) AS complaint,
            (SELECT count(*) FROM reading WHERE device_id = ANY($2::text[])) AS reading`,
    [tag, load.devices],
  );
  return {
    service_order_event: Number(row!.service_order_event), parts_request_event: Number(row!.parts_request_event),
    complaint: Number(row!.complaint), reading: Number(row!.reading),
  };
}

/** Whether every acknowledged record is stored (by count; `verify` then compares them one by one). */
export async function allStored(db: pg.Pool, expected: Acknowledged): Promise<boolean> {
  for (const table of EVENT_TABLES) {
    const ids = expected.events[table];
    if (ids.length === 0) continue;
    const { rows } = await db.query<{ n: string }>(`SELECT count(DISTINCT event_id) AS n FROM ${table} WHERE event_id = ANY($1::text[])`, [ids]);
    if (Number(rows[0]!.n) < ids.length) return false;
  }
  for (const [device, ranges] of expected.readings) {
    const end = Math.max(...ranges.map(([, k1]) => k1));
    const want = ranges.reduce((n, [k0, k1]) => n + k1 - k0, 0) * SENSORS.length;
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM reading WHERE device_id = $1 AND at < $2', [device, new Date(BASE + end * 1000)]);
    if (Number(rows[0]!.n) < want) return false;
  }
  return true;
}

export interface Verdict {
  /**
   * Per table: acknowledged, stored, missing (acknowledged, not stored), twice (stored more than once),
   * unacknowledged (stored, never acknowledged, not in doubt), inDoubt (stored, of a batch the client gave up).
   */
  tables: Record<EventTable | 'reading', { acknowledged: number; stored: number; missing: number; twice: number; unacknowledged: number; inDoubt: number }>;
  /** A few of the ids behind each problem. */
  examples: string[];
  ok: boolean;
}

/** Compares the database with the ledger record by record. */
export async function verify(db: pg.Pool, load: Load): Promise<Verdict> {
  const expected = load.acknowledged();
  const doubt = load.inDoubt();
  const tag = `${load.options.tag}-`;
  const examples: string[] = [];
  const tables = {} as Verdict['tables'];
  for (const table of EVENT_TABLES) {
    const { rows } = await db.query<{ event_id: string; n: number }>(
      `SELECT event_id, count(*)::int AS n FROM ${table} WHERE starts_with(event_id, $1) GROUP BY event_id`, [tag],
    );
    const stored = new Map(rows.map((r) => [r.event_id, r.n]));
    const acked = new Set(expected.events[table]);
    const missing = [...acked].filter((id) => !stored.has(id));
    const twice = rows.filter((r) => r.n > 1).map((r) => r.event_id);
    const unacked = [...stored.keys()].filter((id) => !acked.has(id) && !doubt.has(id));
    tables[table] = {
      acknowledged: acked.size, stored: rows.reduce((n, r) => n + r.n, 0), missing: missing.length, twice: twice.length, unacknowledged: unacked.length,
      inDoubt: [...stored.keys()].filter((id) => doubt.has(id)).length,
    };
    for (const [what, ids] of [['missing', missing], ['twice', twice], ['unacknowledged', unacked]] as const) {
      if (ids.length > 0) examples.push(`${table} ${what}: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ` … (${ids.length})` : ''}`);
    }
  }
  // Readings: per device and second, how many sensors are stored; an acknowledged second needs every sensor once.
  const { rows } = await db.query<{ device_id: string; k: number; n: number; distinct: number }>(
    `SELECT device_id, round(extract(epoch FROM at) - $2::bigint / 1000)::int AS k, count(*)::int AS n, count(DISTINCT sensor)::int AS distinct
     FROM reading WHERE device_id = ANY($1::text[]) GROUP BY 1, 2`,
    [load.devices, BASE],
  );
  const stored = new Map(rows.map((r) => [`${r.device_id}@${r.k}`, r]));
  const acked = new Set<string>();
  for (const [device, ranges] of expected.readings) for (const [k0, k1] of ranges) for (let k = k0; k < k1; k++) acked.add(`${device}@${k}`);
  const missing = [...acked].filter((key) => (stored.get(key)?.distinct ?? 0) < SENSORS.length);
  const twice = rows.filter((r) => r.n > r.distinct).map((r) => `${r.device_id}@${r.k}`);
  const unacked = [...stored.keys()].filter((key) => !acked.has(key) && !doubt.has(key));
  tables.reading = {
    acknowledged: expected.readingCount, stored: rows.reduce((n, r) => n + r.n, 0),
    missing: missing.length * SENSORS.length, twice: twice.length, unacknowledged: unacked.length * SENSORS.length,
    inDoubt: [...stored.keys()].filter((key) => doubt.has(key)).length * SENSORS.length,
  };
  for (const [what, keys] of [['missing', missing], ['twice', twice], ['unacknowledged', unacked]] as const) {
    if (keys.length > 0) examples.push(`reading ${what} (device@second): ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ` … (${keys.length})` : ''}`);
  }
  const ok = Object.values(tables).every((t) => t.missing === 0 && t.twice === 0 && t.unacknowledged === 0 && t.acknowledged + t.inDoubt === t.stored);
  return { tables, examples, ok };
}
