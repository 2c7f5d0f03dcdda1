import { describe, expect, it } from 'vitest';
import { COMPLAINT_CAUSES, type Complaint, type PartsRequestEvent, type ServiceOrderEvent } from '@servicetower/domain';
import { computeTruth, percentileCont, type Truth, type TruthOptions, type TruthRow } from '../src/truth.js';
import type { EventLog, Network } from '../src/types.js';
import { generateHistory } from '../src/history.js';
import { generateNetwork } from '../src/network.js';
import { Random } from '../src/random.js';
import { defaultSettings } from '../src/settings.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TARGETS = { hq_stock: 7, hq_procured: 4 };

/** Figures with every Unavailable turned into null, as the product's rows give them. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    if ('reason' in value && 'value' in value && value.value === null) return null;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** An expectation that matches its numbers to 9 decimals, since sums in another order differ in the last bits. */
function approx(value: unknown): unknown {
  if (typeof value === 'number') return expect.closeTo(value, 9);
  if (Array.isArray(value)) return value.map(approx);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, approx(v)]));
  return value;
}

function rowOf(truth: Truth, scope: TruthRow['scope'], scopeId: string | null, interval: TruthRow['interval'], bucket: string): TruthRow {
  const row = truth.rows.find((r) => r.scope === scope && r.scopeId === scopeId && r.interval === interval && r.bucket === bucket);
  if (!row) throw new Error(`no row ${scope} ${scopeId} ${interval} ${bucket}`);
  return row;
}

// ---------------------------------------------------------------------------------------------
// A hand-made run in Asia/Shanghai (UTC+8, no DST): March and April 2026. Local times below.

const SHANGHAI = 'Asia/Shanghai';
const local = (at: string) => (at.includes('T') ? at : `2026-${at.replace(' ', 'T')}:00+08:00`);

function handNetwork(): Network {
  const outlet = (id: string, regionId: string, technicians: number) => ({ id, name: id, regionId, technicians, lat: 31, lon: 121 });
  return {
    regions: [{ id: 'north', name: 'North' }, { id: 'east', name: 'East' }, { id: 'west', name: 'West, no outlets yet' }],
    outlets: [outlet('o1', 'north', 3), outlet('o2', 'north', 2), outlet('o3', 'east', 4)],
    productLines: [{ id: 'tv', name: 'TV' }, { id: 'phone', name: 'Phone' }, { id: 'camera', name: 'Camera' }],
    parts: [
      { partNo: 'P1', name: 'panel', source: 'hq_stock', unitCost: 80 },
      { partNo: 'P2', name: 'board', source: 'hq_procured', unitCost: 40 },
      { partNo: 'P3', name: 'lens', source: 'hq_procured', unitCost: 90, targetDays: 5 },
    ],
    deviceModels: [],
    devices: [],
    customers: [],
  };
}

let serial = 0;
function order(orderId: string, outletId: string, productLine: string, steps: Array<[ServiceOrderEvent['type'], string]>): ServiceOrderEvent[] {
  return steps.map(([type, at]) => ({ eventId: `e${++serial}`, orderId, type, at: local(at), outletId, productLine }));
}
function request(requestId: string, outletId: string, partNo: string, source: PartsRequestEvent['source'], steps: Array<[PartsRequestEvent['type'], string]>): PartsRequestEvent[] {
  return steps.map(([type, at]) => ({ eventId: `e${++serial}`, requestId, type, at: local(at), outletId, partNo, quantity: 1, source }));
}
function complaint(complaintId: string, outletId: string, productLine: string, cause: Complaint['cause'], at: string): Complaint {
  return { eventId: `e${++serial}`, complaintId, at: local(at), outletId, productLine, cause };
}

function handLog(): EventLog {
  return {
    'service-orders': [
      ...order('A', 'o1', 'tv', [['created', '03-02 09:00'], ['assigned', '03-02 09:30'], ['visit_started', '03-02 14:00'], ['completed', '03-02 19:00'], ['closed', '03-03 09:00']]),
      // reopened within 30 days, completed twice in March
      ...order('B', 'o1', 'tv', [['created', '03-03 10:00'], ['visit_started', '03-03 12:00'], ['completed', '03-04 10:00'], ['reopened', '03-10 09:00'], ['visit_started', '03-10 11:00'], ['completed', '03-12 10:00']]),
      // completed in March, reopened and completed again in April
      ...order('C', 'o2', 'phone', [['created', '03-20 08:00'], ['visit_started', '03-20 10:00'], ['completed', '03-25 08:00'], ['reopened', '04-05 08:00'], ['visit_started', '04-05 09:00'], ['completed', '04-06 08:00']]),
      // 17:00Z on 31 March is 01:00 on 1 April in Shanghai
      ...order('D', 'o3', 'tv', [['created', '2026-03-31T17:00:00Z'], ['cancelled', '04-02 09:00']]),
      // 23:59 local on 31 March; waits for a second parts request at the end
      ...order('E', 'o3', 'phone', [['created', '2026-03-31T15:59:00Z'], ['visit_started', '04-01 10:00'], ['parts_requested', '04-01 11:00'], ['parts_received', '04-08 11:00'], ['parts_requested', '04-09 10:00']]),
      ...order('F', 'o2', 'tv', [['created', '03-05 09:00'], ['visit_started', '03-05 10:00'], ['visit_started', '03-06 10:00'], ['completed', '03-06 12:00']]),
      ...order('G', 'o1', 'tv', [['created', '04-10 09:00'], ['visit_started', '04-10 10:00'], ['completed', '04-10 11:00'], ['closed', '04-11 09:00']]),
      ...order('H', 'o2', 'phone', [['created', '03-15 09:00'], ['cancelled', '03-16 09:00']]),
      // cancelled while waiting for parts: not waiting at the end
      ...order('I', 'o1', 'phone', [['created', '04-20 09:00'], ['parts_requested', '04-20 10:00'], ['cancelled', '04-21 09:00']]),
      // created and cancelled at the same instant, logged in the wrong order
      ...order('J', 'o2', 'phone', [['cancelled', '04-15 09:00'], ['created', '04-15 09:00']]),
    ],
    parts: [
      ...request('R1', 'o1', 'P1', 'hq_stock', [['requested', '03-01 10:00'], ['shipped', '03-03 10:00'], ['received', '03-08 10:00']]),
      ...request('R2', 'o2', 'P1', 'hq_stock', [['requested', '03-10 10:00'], ['received', '03-24 10:00']]),
      ...request('R3', 'o3', 'P3', 'hq_procured', [['requested', '03-28 12:00'], ['received', '04-02 00:00']]),
      ...request('R4', 'o3', 'P2', 'hq_procured', [['requested', '04-01 00:00'], ['received', '04-05 00:00']]),
      ...request('R5', 'o1', 'P1', 'hq_stock', [['requested', '04-20 10:00']]),
      ...request('R6', 'o2', 'P2', 'hq_procured', [['requested', '04-22 10:00'], ['cancelled', '04-23 10:00']]),
      ...request('R7', 'o3', 'P1', 'hq_stock', [['requested', '04-29 12:00'], ['shipped', '04-30 12:00']]),
      // received after the run ended: open at the end, in no bucket's supply cycle
      ...request('R8', 'o3', 'P2', 'hq_procured', [['requested', '04-25 00:00'], ['received', '05-02 00:00']]),
    ],
    complaints: [
      complaint('K1', 'o3', 'phone', 'parts_wait', '04-10 12:00'),
      complaint('K2', 'o1', 'tv', 'turnaround', '2026-03-31T16:30:00Z'),
      complaint('K3', 'o2', 'phone', 'parts_wait', '03-20 12:00'),
      complaint('K3', 'o2', 'phone', 'parts_wait', '03-20 12:00'),
    ],
  };
}

const handOptions: TruthOptions = {
  timeZone: SHANGHAI,
  start: Date.parse('2026-03-01T00:00:00+08:00'),
  end: Date.parse('2026-05-01T00:00:00+08:00'),
  targets: TARGETS,
};

describe('ground truth from a hand-made run', () => {
  const truth = computeTruth(handNetwork(), handLog(), handOptions);
  const month = (bucket: string, scope: TruthRow['scope'] = 'network', scopeId: string | null = null) => rowOf(truth, scope, scopeId, 'month', bucket);
  const day = (bucket: string, scope: TruthRow['scope'] = 'network', scopeId: string | null = null) => rowOf(truth, scope, scopeId, 'day', bucket);

  it('has a row for every scope and local bucket of the run, and nothing else', () => {
    // 1 network + 3 regions + 3 outlets + 3 product lines; 61 days + 2 months
    expect(truth.rows).toHaveLength(10 * 63);
    expect(new Set(truth.rows.filter((r) => r.interval === 'month').map((r) => r.bucket))).toEqual(new Set(['2026-03-01', '2026-04-01']));
    const days = [...new Set(truth.rows.filter((r) => r.interval === 'day').map((r) => r.bucket))];
    expect([days[0], days.at(-1), days.length]).toEqual(['2026-03-01', '2026-04-30', 61]);
  });

  it('puts an event at 17:00Z on 31 March in 1 April, Shanghai time', () => {
    expect(day('2026-04-01', 'outlet', 'o3').ordersReceived).toBe(1); // D
    expect(day('2026-03-31', 'outlet', 'o3').ordersReceived).toBe(1); // E at 23:59 local
    expect(month('2026-04-01').complaintsByCause).toEqual({ parts_wait: 1, turnaround: 1 }); // K2 at 00:30 local
  });

  it('counts orders received and completed, a reopened order once per bucket', () => {
    expect([month('2026-03-01').ordersReceived, month('2026-04-01').ordersReceived]).toEqual([6, 4]);
    // March: A, B (completed twice), F, C; April: C again, G
    expect([month('2026-03-01').ordersCompleted, month('2026-04-01').ordersCompleted]).toEqual([4, 2]);
    expect([day('2026-03-04').ordersCompleted, day('2026-03-12').ordersCompleted]).toEqual([1, 1]);
  });

  it('holds an order in the backlog while it is open, again after a reopen, never after a cancel', () => {
    expect(month('2026-03-01').backlog).toBe(1); // E
    expect(month('2026-04-01').backlog).toBe(1); // E; J cancelled at the instant it was created
    expect(day('2026-03-02').backlog).toBe(0); // A created and completed the same day
    expect(day('2026-03-03').backlog).toBe(1); // B
    expect(day('2026-03-10').backlog).toBe(1); // B reopened
    expect(day('2026-03-15').backlog).toBe(1); // H, cancelled the next day
    expect(day('2026-03-16').backlog).toBe(0);
    expect(day('2026-04-05').backlog).toBe(2); // C reopened, E
    expect(month('2026-03-01', 'outlet', 'o3').backlog).toBe(1);
  });

  it('measures turnaround once per order, at its first completion', () => {
    // March: A 10 h, B 24 h, F 27 h, C 120 h
    expect(month('2026-03-01').turnaroundHours).toEqual(approx({ mean: 45.25, p50: 25.5, p90: 92.1 }));
    expect(month('2026-04-01').turnaroundHours).toEqual({ mean: 2, p50: 2, p90: 2 }); // G; C's repeat adds none
    expect(day('2026-03-12').turnaroundHours).toEqual({ value: null, reason: 'only repeat completions of reopened orders' });
  });

  it('counts a first-time fix only with one visit and no reopen', () => {
    expect(month('2026-03-01').firstTimeFixRate).toBe(0.25); // A of A, B, F, C
    expect(month('2026-04-01').firstTimeFixRate).toBe(0.5); // G of C, G
    expect(day('2026-03-12').firstTimeFixRate).toBe(0);
  });

  it('divides orders by the outlets and technicians of the scope', () => {
    const north = month('2026-03-01', 'region', 'north'); // A, B, C, F, H over o1 (3) and o2 (2)
    expect([north.ordersReceived, north.avgOrdersPerOutlet, north.ordersPerTechnician]).toEqual([5, 2.5, 1]);
    const tv = month('2026-03-01', 'productLine', 'tv'); // A, B, F over every outlet and technician
    expect([tv.ordersReceived, tv.avgOrdersPerOutlet, tv.ordersPerTechnician]).toEqual(approx([3, 1, 1 / 3]));
    expect(month('2026-03-01', 'outlet', 'o3').avgOrdersPerOutlet).toBe(1);
  });

  it('measures the supply cycle per source in the bucket of receipt, against each part’s target', () => {
    expect(plain(month('2026-03-01').supplyCycle)).toEqual(approx({
      hq_stock: { requests: 2, meanDays: 10.5, p50Days: 10.5, p90Days: 13.3, targetDays: 7, withinTargetShare: 0.5 },
      hq_procured: null,
    }));
    // R3 took 4.5 days but its part's own target is 5; R4 took exactly 4
    expect(plain(month('2026-04-01').supplyCycle)).toEqual(approx({
      hq_stock: null,
      hq_procured: { requests: 2, meanDays: 4.25, p50Days: 4.25, p90Days: 4.45, targetDays: 4, withinTargetShare: 1 },
    }));
    expect(day('2026-04-02').supplyCycle).toMatchObject({ hq_procured: { requests: 1, meanDays: 4.5 } }); // received at local midnight
    expect(month('2026-03-01', 'outlet', 'o1').supplyCycle).toMatchObject({ hq_stock: { requests: 1, p90Days: 7, withinTargetShare: 1 } });
    expect(month('2026-04-01', 'region', 'north').supplyCycle).toEqual({
      hq_stock: { value: null, reason: 'no hq_stock requests received' },
      hq_procured: { value: null, reason: 'no hq_procured requests received' },
    });
  });

  it('rates complaints per 100 orders received, a complaint logged twice once', () => {
    const march = month('2026-03-01');
    expect([march.complaints, march.complaintsByCause]).toEqual([1, { parts_wait: 1 }]);
    expect([march.complaintRatePer100, march.partsWaitRatePer100]).toEqual(approx([100 / 6, 100 / 6]));
    const april = month('2026-04-01');
    expect([april.complaints, april.complaintRatePer100, april.partsWaitRatePer100]).toEqual([2, 50, 25]);
  });

  it('gives null with a reason for an empty scope, never NaN', () => {
    const west = month('2026-03-01', 'region', 'west');
    expect(west).toMatchObject({
      ordersReceived: 0, ordersCompleted: 0, backlog: 0, complaints: 0, complaintsByCause: {},
      avgOrdersPerOutlet: { value: null, reason: 'no outlets in scope' },
      ordersPerTechnician: { value: null, reason: 'no technicians on staff in scope' },
      turnaroundHours: { value: null, reason: 'no orders completed' },
      firstTimeFixRate: { value: null, reason: 'no orders completed' },
      complaintRatePer100: { value: null, reason: 'no orders received' },
      partsWaitRatePer100: { value: null, reason: 'no orders received' },
    });
    const camera = month('2026-03-01', 'productLine', 'camera');
    expect([camera.avgOrdersPerOutlet, camera.supplyCycle]).toEqual([0, { value: null, reason: 'parts requests carry no product line' }]);
    expect(JSON.stringify(truth)).not.toMatch(/NaN|Infinity/);
    expect(JSON.parse(JSON.stringify(truth))).toEqual(truth);
  });

  it('lists the parts requests still open at the end with their age', () => {
    expect(truth.atEnd.openPartsRequests).toEqual(approx([
      { requestId: 'R5', outletId: 'o1', partNo: 'P1', source: 'hq_stock', requestedAt: '2026-04-20T02:00:00.000Z', ageDays: 10 + 14 / 24 },
      { requestId: 'R8', outletId: 'o3', partNo: 'P2', source: 'hq_procured', requestedAt: '2026-04-24T16:00:00.000Z', ageDays: 6 },
      { requestId: 'R7', outletId: 'o3', partNo: 'P1', source: 'hq_stock', requestedAt: '2026-04-29T04:00:00.000Z', ageDays: 1.5 },
    ]));
  });

  it('lists the open orders still waiting for parts, since the request after their last receipt', () => {
    expect(truth.atEnd.ordersWaitingForParts).toEqual(approx([
      { orderId: 'E', outletId: 'o3', productLine: 'phone', since: '2026-04-09T02:00:00.000Z', daysWaiting: 21 + 14 / 24 },
    ]));
    const counts = Object.fromEntries(truth.atEnd.scopes.map((s) => [`${s.scope}:${s.scopeId}`, [s.openPartsRequests, s.ordersWaitingForParts]]));
    expect(counts).toMatchObject({
      'network:null': [3, 1], 'region:north': [1, 0], 'region:east': [2, 1], 'region:west': [0, 0], 'outlet:o2': [0, 0],
      'productLine:phone': [{ value: null, reason: 'parts requests carry no product line' }, 1],
    });
  });

  it('records what it was computed from', () => {
    expect(truth.generatedFrom).toMatchObject({
      timeZone: SHANGHAI, targets: TARGETS, partsWaitCause: 'parts_wait',
      counts: { orders: 10, partsRequests: 8, complaints: 3, complaintEvents: 4, eventsOutsideRun: 1 },
    });
    const { targets: _targets, ...withoutTargets } = handOptions;
    expect(computeTruth(handNetwork(), handLog(), withoutTargets).generatedFrom.targets).toEqual({ hq_stock: 7, hq_procured: 4 });
  });

  it('refuses an unknown time zone or an event from an outlet the network does not list', () => {
    expect(() => computeTruth(handNetwork(), handLog(), { ...handOptions, timeZone: 'Mars/Olympus' })).toThrow(/not an IANA time zone/);
    const log = handLog();
    log.complaints.push(complaint('K9', 'o99', 'tv', 'other', '03-05 10:00'));
    expect(() => computeTruth(handNetwork(), log, handOptions)).toThrow('complaint K9 names outlet o99');
  });
});

describe('percentiles', () => {
  it('interpolate linearly between closest ranks, as percentile_cont', () => {
    expect(percentileCont([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentileCont([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12);
    expect(percentileCont([10, 20], 0.9)).toBe(19);
    expect(percentileCont([5], 0.9)).toBe(5);
    expect(percentileCont([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9)).toBe(10);
  });
});

// ---------------------------------------------------------------------------------------------
// A random run from a tiny local generator, and a brute-force recomputation to hold the truth to.

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Shape { seed: number; orders: number; regions: number; outlets: number; productLines: number; start: number; end: number }

/** Orders with random lifecycles (parts, extra visits, reopens, cancels, orders still open), their parts requests and complaints. */
function randomRun(shape: Shape): { network: Network; log: EventLog } {
  const random = mulberry32(shape.seed);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  // the same instant written with different offsets, as sources do
  const stamp = (t: number) => {
    const minutes = pick([0, 480, -330]);
    if (minutes === 0) return new Date(t).toISOString();
    const wall = new Date(t + minutes * 60_000).toISOString().slice(0, 23);
    const sign = minutes < 0 ? '-' : '+';
    const abs = Math.abs(minutes);
    return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  };
  const network: Network = { regions: [], outlets: [], productLines: [], parts: [], deviceModels: [], devices: [], customers: [] };
  for (let r = 0; r < shape.regions; r++) network.regions.push({ id: `r${r}`, name: `Region ${r}` });
  for (let o = 0; o < shape.outlets; o++) {
    network.outlets.push({ id: `o${o}`, name: `Outlet ${o}`, regionId: `r${o % shape.regions}`, technicians: 1 + Math.floor(random() * 8), lat: 30, lon: 120 });
  }
  for (let p = 0; p < shape.productLines; p++) network.productLines.push({ id: `pl${p}`, name: `Line ${p}` });
  for (let p = 0; p < 20; p++) {
    const source = p % 3 === 0 ? 'hq_procured' : 'hq_stock';
    network.parts.push({ partNo: `P${p}`, name: `Part ${p}`, source, unitCost: 10, ...(p % 5 === 0 ? { targetDays: 3 + p / 5 } : {}) });
  }
  const log: EventLog = { 'service-orders': [], parts: [], complaints: [] };
  let serial = 0;
  for (let i = 0; i < shape.orders; i++) {
    const orderId = `SO-${i}`;
    const outletId = pick(network.outlets).id;
    const productLine = pick(network.productLines).id;
    const emit = (type: ServiceOrderEvent['type'], at: number) =>
      log['service-orders'].push({ eventId: `s${++serial}`, orderId, type, at: stamp(at), outletId, productLine });
    const part = pick(network.parts);
    const parts = (type: PartsRequestEvent['type'], at: number) =>
      log.parts.push({ eventId: `p${++serial}`, requestId: `PR-${i}`, type, at: stamp(at), outletId, partNo: part.partNo, quantity: 1, source: part.source, orderId });
    const createdAt = between(shape.start - 2 * DAY, shape.end);
    let neededParts = false;
    const lastAt = (() => {
      let t = createdAt;
      emit('created', t);
      emit('assigned', (t += between(0.1, 4) * HOUR));
      if (random() < 0.06) {
        emit('cancelled', (t += between(1, 30) * HOUR));
        return t;
      }
      emit('visit_started', (t += between(1, 48) * HOUR));
      if (random() < 0.35) {
        neededParts = true;
        emit('parts_requested', (t += between(0.2, 2) * HOUR));
        parts('requested', t);
        const fate = random();
        if (fate < 0.08) {
          parts('cancelled', (t += between(1, 5) * DAY));
          if (random() < 0.5) {
            emit('cancelled', (t += HOUR));
            return t;
          }
        } else {
          const cycle = (part.source === 'hq_stock' ? between(2, 16) : between(1, 8)) * DAY;
          parts('shipped', t + cycle * 0.6);
          if (fate > 0.9) return t; // never arrives: the order waits
          parts('received', (t += cycle));
          emit('parts_received', (t += random() < 0.5 ? 0 : between(0, 3) * HOUR));
          emit('visit_started', (t += between(1, 24) * HOUR));
        }
      }
      if (random() < 0.15) emit('visit_started', (t += between(2, 30) * HOUR));
      if (random() < 0.05) return t; // still being worked on
      emit('completed', (t += between(0.5, 72) * HOUR));
      if (random() < 0.15) {
        emit('reopened', (t += between(1, 45) * DAY));
        if (random() < 0.7) emit('visit_started', (t += between(1, 24) * HOUR)); // else settled on the phone
        emit('completed', (t += between(1, 48) * HOUR));
      }
      if (random() < 0.5) emit('closed', (t += between(1, 6) * DAY));
      return t;
    })();
    if (random() < 0.2) {
      const cause = neededParts && random() < 0.6 ? 'parts_wait' : pick(COMPLAINT_CAUSES);
      // most complaints name their order (the parts-wait link counts them); some come without one
      log.complaints.push({ eventId: `c${++serial}`, complaintId: `K-${i}`, at: stamp(between(createdAt, lastAt + 2 * DAY)), outletId, productLine, cause, ...(i % 5 === 0 ? {} : { orderId }) });
    }
  }
  const inTimeOrder = <E extends { at: string }>(events: E[]) =>
    events.map((e) => [Date.parse(e.at), e] as const).sort((a, b) => a[0] - b[0]).map(([, e]) => e);
  return {
    network,
    log: { 'service-orders': inTimeOrder(log['service-orders']), parts: inTimeOrder(log.parts), complaints: inTimeOrder(log.complaints) },
  };
}

const LIFECYCLE = ['created', 'assigned', 'visit_started', 'parts_requested', 'parts_received', 'completed', 'reopened', 'closed', 'cancelled', 'requested', 'shipped', 'received'];

/**
 * Each figure straight from its definition in DESIGN.md §5: filter the whole log for the
 * scope and the bucket's local dates (Intl per event, no caching), then count or measure.
 */
function bruteForce(network: Network, log: EventLog, options: TruthOptions) {
  const targets = options.targets ?? TARGETS;
  const format = new Intl.DateTimeFormat('en-CA', { timeZone: options.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const dates = new Map<string, string>();
  const dateOf = (at: string) => dates.get(at) ?? dates.set(at, format.format(new Date(at))).get(at)!;
  const ms = (at: string) => Date.parse(at);
  const chronological = <E extends { at: string; type: string }>(events: E[]) =>
    [...events].sort((a, b) => ms(a.at) - ms(b.at) || LIFECYCLE.indexOf(a.type) - LIFECYCLE.indexOf(b.type));
  const groupBy = <E,>(events: readonly E[], key: (e: E) => string) => {
    const groups = new Map<string, E[]>();
    for (const e of events) groups.set(key(e), [...(groups.get(key(e)) ?? []), e]);
    return groups;
  };
  const orders = [...groupBy(log['service-orders'], (e) => e.orderId).values()].map(chronological);
  const requests = [...groupBy(log.parts, (e) => e.requestId).values()].map(chronological);
  const complaints = [...groupBy(log.complaints, (e) => e.complaintId).values()].map((c) => c[0]!);
  const regionOf = (outletId: string) => network.outlets.find((o) => o.id === outletId)!.regionId;
  const percentile = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    const rank = p * (sorted.length - 1);
    const [lo, hi] = [sorted[Math.floor(rank)]!, sorted[Math.ceil(rank)]!];
    return lo + (hi - lo) * (rank - Math.floor(rank));
  };
  const spread = (values: number[]) =>
    values.length === 0 ? null : { mean: values.reduce((a, b) => a + b, 0) / values.length, p50: percentile(values, 0.5), p90: percentile(values, 0.9) };
  const share = (part: number, whole: number, scale = 1) => (whole === 0 ? null : (part / whole) * scale);

  function row(scope: TruthRow['scope'], scopeId: string | null, interval: TruthRow['interval'], bucket: string) {
    const inBucket = (at: string) => (interval === 'day' ? dateOf(at) === bucket : dateOf(at).slice(0, 7) === bucket.slice(0, 7));
    const byBucketEnd = (at: string) => (interval === 'day' ? dateOf(at) <= bucket : dateOf(at).slice(0, 7) <= bucket.slice(0, 7));
    const inScope = (e: { outletId: string; productLine?: string }) =>
      scope === 'network' || (scope === 'region' && regionOf(e.outletId) === scopeId) || (scope === 'outlet' && e.outletId === scopeId) ||
      (scope === 'productLine' && e.productLine === scopeId);
    const outlets = network.outlets.filter((o) => scope === 'productLine' || inScope({ outletId: o.id }));
    const technicians = outlets.reduce((sum, o) => sum + o.technicians, 0);

    const mine = orders.filter((events) => inScope(events.find((e) => e.type === 'created') ?? events[0]!));
    const receivedOrders = mine.filter((events) => events.some((e) => e.type === 'created' && inBucket(e.at)));
    const received = receivedOrders.length;
    const waited = receivedOrders.filter((events) => events.some((e) => e.type === 'parts_requested'));
    const complaintsAbout = (orderSet: typeof mine) => orderSet.reduce((n, events) => n + complaints.filter((c) => c.orderId === events[0]!.orderId).length, 0);
    const complaintsWaited = complaintsAbout(waited);
    const complaintsNotWaited = complaintsAbout(receivedOrders.filter((events) => !waited.includes(events)));
    const completed = mine.filter((events) => events.some((e) => e.type === 'completed' && inBucket(e.at)));
    const backlog = mine.filter((events) => {
      const seen = events.filter((e) => byBucketEnd(e.at));
      const last = seen.filter((e) => ['created', 'reopened', 'completed', 'closed', 'cancelled'].includes(e.type)).at(-1);
      return seen.some((e) => e.type === 'created') && (last?.type === 'created' || last?.type === 'reopened');
    }).length;
    const turnaround = mine.flatMap((events) => {
      const created = events.find((e) => e.type === 'created');
      const first = events.find((e) => e.type === 'completed');
      return created && first && inBucket(first.at) ? [(ms(first.at) - ms(created.at)) / HOUR] : [];
    });
    const fixedFirstTime = completed.filter((events) => {
      const first = ms(events.find((e) => e.type === 'completed')!.at);
      const visits = events.filter((e) => e.type === 'visit_started').length;
      return visits === 1 && !events.some((e) => e.type === 'reopened' && ms(e.at) >= first && ms(e.at) - first <= 30 * DAY);
    }).length;

    const supplyCycle = scope === 'productLine' ? null : Object.fromEntries((['hq_stock', 'hq_procured'] as const).map((source) => {
      const cycles = requests.flatMap((events) => {
        const requested = events.find((e) => e.type === 'requested');
        const receivedAt = events.find((e) => e.type === 'received');
        if (events[0]!.source !== source || !inScope(events[0]!) || !requested || !receivedAt || !inBucket(receivedAt.at)) return [];
        const target = network.parts.find((p) => p.partNo === events[0]!.partNo)?.targetDays ?? targets[source];
        const days = (ms(receivedAt.at) - ms(requested.at)) / DAY;
        return [{ days, within: days <= target }];
      });
      const s = spread(cycles.map((c) => c.days));
      return [source, s && {
        requests: cycles.length, meanDays: s.mean, p50Days: s.p50, p90Days: s.p90, targetDays: targets[source],
        withinTargetShare: cycles.filter((c) => c.within).length / cycles.length,
      }];
    }));

    const bucketComplaints = complaints.filter((c) => inScope(c) && inBucket(c.at));
    const byCause = Object.fromEntries(COMPLAINT_CAUSES.map((cause) => [cause, bucketComplaints.filter((c) => c.cause === cause).length]).filter(([, n]) => n));
    return {
      ordersReceived: received,
      ordersCompleted: completed.length,
      backlog,
      avgOrdersPerOutlet: share(received, outlets.length),
      ordersPerTechnician: share(received, technicians),
      turnaroundHours: spread(turnaround),
      firstTimeFixRate: share(fixedFirstTime, completed.length),
      supplyCycle,
      complaints: bucketComplaints.length,
      complaintsByCause: byCause,
      complaintRatePer100: share(bucketComplaints.length, received, 100),
      partsWaitRatePer100: share(bucketComplaints.filter((c) => c.cause === 'parts_wait').length, received, 100),
      partsWaitLink: {
        ordersWaited: waited.length,
        ordersNotWaited: received - waited.length,
        complaintsWaited,
        complaintsNotWaited,
        complaintRateWaitedPer100: share(complaintsWaited, waited.length, 100),
        complaintRateNotWaitedPer100: share(complaintsNotWaited, received - waited.length, 100),
      },
    };
  }

  function buckets(interval: TruthRow['interval']): string[] {
    const labels = new Set<string>();
    for (let t = options.start; t < options.end; t += HOUR / 4) labels.add(interval === 'day' ? dateOf(new Date(t).toISOString()) : `${dateOf(new Date(t).toISOString()).slice(0, 7)}-01`);
    labels.add(interval === 'day' ? dateOf(new Date(options.end - 1).toISOString()) : `${dateOf(new Date(options.end - 1).toISOString()).slice(0, 7)}-01`);
    return [...labels];
  }

  function atEnd() {
    const before = (e: { at: string }) => ms(e.at) < options.end;
    const openPartsRequests = requests.filter((events) => {
      const seen = events.filter(before);
      return seen.some((e) => e.type === 'requested') && !seen.some((e) => e.type === 'received' || e.type === 'cancelled');
    }).map((events) => events[0]!.requestId).sort();
    const ordersWaitingForParts = orders.flatMap((events) => {
      const seen = events.filter(before);
      const last = seen.filter((e) => ['created', 'reopened', 'completed', 'closed', 'cancelled'].includes(e.type)).at(-1);
      if (last?.type !== 'created' && last?.type !== 'reopened') return [];
      const lastReceipt = seen.findLastIndex((e) => e.type === 'parts_received');
      const since = seen.slice(lastReceipt + 1).find((e) => e.type === 'parts_requested');
      return since ? [{ orderId: since.orderId, daysWaiting: (options.end - ms(since.at)) / DAY }] : [];
    }).sort((a, b) => a.orderId.localeCompare(b.orderId));
    return { openPartsRequests, ordersWaitingForParts };
  }

  return { row, buckets, atEnd };
}

function figuresOf(row: TruthRow): unknown {
  const { scope: _scope, scopeId: _scopeId, interval: _interval, bucket: _bucket, ...figures } = row;
  return plain(figures);
}

describe('ground truth against a brute-force recomputation of a random run', () => {
  const start = Date.parse('2026-03-01T00:00:00+08:00');
  const end = Date.parse('2026-05-01T00:00:00+08:00');
  const { network, log } = randomRun({ seed: 7, orders: 400, regions: 2, outlets: 3, productLines: 3, start, end });

  // Shanghai has no DST; Berlin moves its clocks on 29 March; Kathmandu is 5:45 ahead of UTC
  it.each(['Asia/Shanghai', 'Europe/Berlin', 'Asia/Kathmandu'])('equals it in every row and at the end (%s)', (timeZone) => {
    const options: TruthOptions = { timeZone, start, end, targets: TARGETS };
    const truth = computeTruth(network, log, options);
    const brute = bruteForce(network, log, options);

    for (const interval of ['day', 'month'] as const) {
      expect(truth.rows.filter((r) => r.interval === interval && r.scope === 'network').map((r) => r.bucket)).toEqual(brute.buckets(interval));
    }
    expect(truth.rows).toHaveLength((1 + 2 + 3 + 3) * (brute.buckets('day').length + brute.buckets('month').length));
    for (const row of truth.rows) {
      expect(figuresOf(row), `${row.scope} ${row.scopeId} ${row.interval} ${row.bucket}`).toEqual(approx(brute.row(row.scope, row.scopeId, row.interval, row.bucket)));
    }
    const expected = brute.atEnd();
    expect(truth.atEnd.openPartsRequests.map((r) => r.requestId).sort()).toEqual(expected.openPartsRequests);
    expect(truth.atEnd.ordersWaitingForParts.map(({ orderId, daysWaiting }) => ({ orderId, daysWaiting })).sort((a, b) => a.orderId.localeCompare(b.orderId)))
      .toEqual(approx(expected.ordersWaitingForParts));
  });

  it('exercises what it claims to: reopens, repeat completions, open orders, parts after the end', () => {
    const truth = computeTruth(network, log, { timeZone: SHANGHAI, start, end, targets: TARGETS });
    const months = truth.rows.filter((r) => r.scope === 'network' && r.interval === 'month');
    expect(months.every((r) => r.ordersReceived > 50 && r.backlog > 0 && r.complaints > 0)).toBe(true);
    expect(log['service-orders'].filter((e) => e.type === 'reopened').length).toBeGreaterThan(10);
    expect(truth.atEnd.openPartsRequests.length).toBeGreaterThan(0);
    expect(truth.atEnd.ordersWaitingForParts.length).toBeGreaterThan(0);
    expect(truth.generatedFrom.counts.eventsOutsideRun).toBeGreaterThan(0);
  });

  it('does not depend on the order of the log', () => {
    const options: TruthOptions = { timeZone: SHANGHAI, start, end, targets: TARGETS };
    const random = mulberry32(99);
    const shuffled = {
      'service-orders': [...log['service-orders']].sort(() => random() - 0.5),
      parts: [...log.parts].reverse(),
      complaints: [...log.complaints].reverse(),
    };
    expect(computeTruth(network, shuffled, options).rows).toEqual(computeTruth(network, log, options).rows);
  });
});

describe('ground truth at the scale of a year', () => {
  // About 2–3 s on one core; the bound leaves room for a busy CI machine and still catches anything quadratic.
  it('computes ~100k orders (~600k events) in seconds', () => {
    const start = Date.parse('2026-01-01T00:00:00+08:00');
    const end = Date.parse('2027-01-01T00:00:00+08:00');
    const { network, log } = randomRun({ seed: 1, orders: 100_000, regions: 7, outlets: 80, productLines: 6, start, end });
    const began = performance.now();
    const truth = computeTruth(network, log, { timeZone: SHANGHAI, start, end, targets: TARGETS });
    const seconds = (performance.now() - began) / 1000;
    const events = log['service-orders'].length + log.parts.length + log.complaints.length;
    expect(events).toBeGreaterThan(550_000);
    expect(truth.rows).toHaveLength((1 + 7 + 80 + 6) * (365 + 12));
    expect(seconds).toBeLessThan(20);
  });
});

describe('ground truth of a real simulator run against the brute-force recomputation of its emitted log', () => {
  it('equals it in every row and at the end', () => {
    const settings = defaultSettings(Date.parse('2026-03-20T10:00:00+08:00'), { seed: 3, months: 1, outlets: 8 });
    const rng = new Random(settings.seed);
    const network = generateNetwork(settings, rng.child('network'));
    const { events } = generateHistory(network, settings, rng.child('history'));
    const options: TruthOptions = { timeZone: settings.timeZone, start: settings.start, end: settings.end, targets: TARGETS };
    const truth = computeTruth(network, events, options);
    const brute = bruteForce(network, events, options);
    expect(events['service-orders'].length).toBeGreaterThan(1000);
    for (const row of truth.rows) {
      expect(figuresOf(row), `${row.scope} ${row.scopeId} ${row.interval} ${row.bucket}`).toEqual(approx(brute.row(row.scope, row.scopeId, row.interval, row.bucket)));
    }
    expect(truth.atEnd.openPartsRequests.map((r) => r.requestId).sort()).toEqual(brute.atEnd().openPartsRequests);
  });
});
