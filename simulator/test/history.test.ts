import { beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIONS, compileValidator, STREAMS, type CollectionName, type StreamName } from '@servicetower/domain';
import { generateHistory, sortByTime, type History } from '../src/history.js';
import { ENGINE_COUNT, FLEET_MODELS, generateNetwork, productLineOfPart } from '../src/network.js';
import { Random } from '../src/random.js';
import { BusinessCalendar, defaultSettings } from '../src/settings.js';
import type { Network, SimulationSettings } from '../src/types.js';

const DAY = 86_400_000;
const NOW = Date.parse('2025-06-15T10:00:00+08:00');

function simulate(settings: SimulationSettings, seed = settings.seed): { network: Network } & History {
  const rng = new Random(seed);
  const network = generateNetwork(settings, rng.child('network'));
  return { network, ...generateHistory(network, settings, rng.child('history')) };
}

interface OrderView {
  outletId: string;
  createdAt: number;
  channel: string | undefined;
  deviceId: string | undefined;
  /** Event types and times in order. */
  types: string[];
  times: number[];
}

function ordersOf(run: History): Map<string, OrderView> {
  const orders = new Map<string, OrderView>();
  for (const event of run.events['service-orders']) {
    let order = orders.get(event.orderId);
    if (!order) {
      order = { outletId: event.outletId, createdAt: Date.parse(event.at), channel: event.channel, deviceId: event.deviceId, types: [], times: [] };
      orders.set(event.orderId, order);
    }
    order.types.push(event.type);
    order.times.push(Date.parse(event.at));
  }
  return orders;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('the business calendar', () => {
  it('stamps local times with their offset and finds local midnights across a daylight-saving change', () => {
    const berlin = new BusinessCalendar('Europe/Berlin');
    expect(berlin.stamp(Date.parse('2024-03-31T00:59:59Z'))).toBe('2024-03-31T01:59:59+01:00');
    expect(berlin.stamp(Date.parse('2024-03-31T01:00:00Z'))).toBe('2024-03-31T03:00:00+02:00');
    expect(new Date(berlin.midnight(2024, 10, 27)).toISOString()).toBe('2024-10-26T22:00:00.000Z');
    expect(new Date(berlin.midnight(2024, 10, 28)).toISOString()).toBe('2024-10-27T23:00:00.000Z');
    expect(berlin.localDate(Date.parse('2024-12-31T23:30:00Z'))).toEqual({ year: 2025, month: 1, day: 1, weekday: 3 });
  });
});

describe('sortByTime', () => {
  it('orders by the second and keeps ties in place, also over spans too long to pack', () => {
    const times = [5000, 1000, 5400, 1000, 3000];
    expect(sortByTime(times, ['a', 'b', 'c', 'd', 'e'])).toEqual(['b', 'd', 'e', 'a', 'c']);
    const far = Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? 8e15 - i * 1000 : i * 1000));
    const sorted = sortByTime(far, far);
    expect(sorted.every((t, i) => i === 0 || (sorted[i - 1] as number) <= t)).toBe(true);
  });
});

describe('a small run', () => {
  const small = defaultSettings(NOW, { months: 2, outlets: 12 });

  it('is the same for the same seed and different for another', () => {
    const first = simulate(small);
    expect(simulate(small)).toEqual(first);
    const other = simulate(small, small.seed + 1);
    expect(other.network.outlets).not.toEqual(first.network.outlets);
    expect(other.events['service-orders'].slice(0, 50)).not.toEqual(first.events['service-orders'].slice(0, 50));
  });

  it('keeps one outlet per region when there are only a few', () => {
    const { network } = simulate(defaultSettings(NOW, { months: 1, outlets: 7 }));
    expect(new Set(network.outlets.map((o) => o.regionId)).size).toBe(7);
  });
});

describe('a default year', () => {
  const settings = defaultSettings(NOW);
  const calendar = new BusinessCalendar(settings.timeZone);
  let run: { network: Network } & History;
  let orders: Map<string, OrderView>;

  beforeAll(() => {
    run = simulate(settings);
    orders = ordersOf(run);
  });

  it('starts on the first of the month a year before and puts the programme halfway', () => {
    expect(new Date(settings.start).toISOString()).toBe('2024-05-31T16:00:00.000Z');
    expect(new Date(settings.programmeDate).toISOString()).toBe('2024-11-30T16:00:00.000Z');
  });

  it('builds the network of the brief', () => {
    const { network } = run;
    expect(network.regions.map((r) => r.id)).toEqual(['north', 'northeast', 'east', 'south', 'central', 'southwest', 'northwest']);
    expect(network.outlets).toHaveLength(80);
    expect(new Set(network.outlets.map((o) => o.id)).size).toBe(80);
    expect(network.outlets.find((o) => o.id === 'sh-03')?.name).toBe('Shanghai 3');
    for (const outlet of network.outlets) expect(outlet.technicians).toSatisfy((n: number) => n >= 2 && n <= 12);
    expect(network.productLines.map((l) => l.id)).toEqual(['tv', 'audio', 'camera', 'laptop', 'phone', 'game_console']);
    expect(network.parts).toHaveLength(400);
    expect(network.parts.filter((p) => p.source === 'hq_stock').length / 400).toBeCloseTo(0.6, 1);
    const engines = network.devices.filter((d) => d.modelId === 'cmapss-turbofan');
    expect(engines.map((d) => d.id)).toEqual(Array.from({ length: ENGINE_COUNT }, (_, i) => `eng-${String(i + 1).padStart(3, '0')}`));
    expect(network.devices).toHaveLength(ENGINE_COUNT + FLEET_MODELS.length * settings.devicesPerModel);
    const engineModel = network.deviceModels.find((m) => m.id === 'cmapss-turbofan');
    expect(engineModel?.sensors.map((s) => s.name)).toEqual(['cycle', 'op1', 'op2', 'op3', ...Array.from({ length: 21 }, (_, i) => `s${i + 1}`)]);
  });

  it('sizes each outlet’s staff to its load: the busiest outlets have the most technicians', () => {
    const created = new Map<string, number>();
    for (const order of orders.values()) created.set(order.outletId, (created.get(order.outletId) ?? 0) + 1);
    const byStaff = [...run.network.outlets].sort((a, b) => a.technicians - b.technicians);
    const perOutlet = (list: typeof byStaff) => mean(list.map((o) => created.get(o.id) ?? 0));
    expect(perOutlet(byStaff.slice(-20))).toBeGreaterThan(2 * perOutlet(byStaff.slice(0, 20)));
  });

  it('passes the domain schemas, record by record', () => {
    for (const name of ['regions', 'outlets', 'product-lines', 'parts', 'device-models', 'devices'] as CollectionName[]) {
      const validator = compileValidator(COLLECTIONS[name].schema);
      const items = { regions: run.network.regions, outlets: run.network.outlets, 'product-lines': run.network.productLines, parts: run.network.parts, 'device-models': run.network.deviceModels, devices: run.network.devices }[name];
      for (const item of items) {
        const { [COLLECTIONS[name].idName]: _id, ...body } = item as unknown as Record<string, unknown>;
        expect(validator.errors(body), `${name} ${String(_id)}`).toEqual([]);
      }
    }
    for (const stream of ['service-orders', 'parts', 'complaints'] as const satisfies StreamName[]) {
      const validator = compileValidator(STREAMS[stream].schema);
      const bad = run.events[stream].filter((record) => !validator.check(record));
      expect(bad.slice(0, 3).map((record) => validator.errors(record))).toEqual([]);
    }
  });

  it('names only what the network holds', () => {
    const { network, events } = run;
    const outlets = new Map(network.outlets.map((o) => [o.id, o]));
    const lines = new Set(network.productLines.map((l) => l.id));
    const parts = new Map(network.parts.map((p) => [p.partNo, p]));
    const customers = new Set(network.customers);
    const devices = new Set(network.devices.map((d) => d.id));
    const lineOf = new Map(events['service-orders'].map((e) => [e.orderId, e.productLine]));
    const problems: string[] = [];
    const check = (ok: boolean, eventId: string, what: string) => {
      if (!ok) problems.push(`${eventId}: ${what}`);
    };
    for (const e of events['service-orders']) {
      const outlet = outlets.get(e.outletId);
      check(outlet !== undefined && lines.has(e.productLine), e.eventId, 'outlet or product line');
      check(!e.customerId || customers.has(e.customerId), e.eventId, 'customer');
      check(!e.deviceId || devices.has(e.deviceId), e.eventId, 'device');
      const technician = Number(e.technicianId?.slice(e.outletId.length + 2));
      check(!e.technicianId || (e.technicianId.startsWith(`${e.outletId}-t`) && technician >= 1 && technician <= (outlet?.technicians ?? 0)), e.eventId, 'technician');
    }
    for (const e of events.parts) {
      const part = parts.get(e.partNo);
      check(part?.source === e.source && part.unitCost === e.unitCost, e.eventId, 'part');
      check(orders.get(e.orderId ?? '')?.outletId === e.outletId, e.eventId, 'order and outlet');
      check(productLineOfPart(e.partNo) === lineOf.get(e.orderId ?? ''), e.eventId, 'part of the order’s product line');
    }
    for (const e of events.complaints) {
      check(outlets.has(e.outletId) && lines.has(e.productLine) && lineOf.get(e.orderId ?? '') === e.productLine, e.eventId, 'complaint');
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it('keeps each stream in time order, ids unique, and nothing after the end', () => {
    for (const stream of ['service-orders', 'parts', 'complaints'] as const) {
      const times = run.events[stream].map((e) => Date.parse(e.at));
      expect(times.every((t, i) => i === 0 || (times[i - 1] as number) <= t)).toBe(true);
      expect(times[0]).toBeGreaterThanOrEqual(settings.start);
      expect(times.at(-1)).toBeLessThanOrEqual(settings.end);
      expect(new Set(run.events[stream].map((e) => e.eventId)).size).toBe(run.events[stream].length);
    }
    expect(run.events['service-orders'][0]?.at).toMatch(/\+08:00$/);
  });

  it('runs every order through a lifecycle that makes sense', () => {
    const next: Record<string, string[]> = {
      created: ['assigned', 'cancelled'],
      assigned: ['visit_started', 'cancelled'],
      visit_started: ['parts_requested', 'visit_started', 'completed', 'cancelled'],
      parts_requested: ['parts_received', 'cancelled'],
      parts_received: ['visit_started', 'completed', 'cancelled'],
      completed: ['closed'],
      closed: ['reopened'],
      reopened: ['visit_started'],
      cancelled: [],
    };
    for (const order of orders.values()) {
      expect(order.types[0]).toBe('created');
      for (let i = 1; i < order.types.length; i += 1) {
        const ok = next[order.types[i - 1] as string]?.includes(order.types[i] as string) && (order.times[i] as number) > (order.times[i - 1] as number);
        if (!ok) expect(order.types).toBe('a valid lifecycle');
      }
    }
  });

  it('moves the supply cycle as the programme says: hq_stock 14 → 7 days, hq_procured 9 → 4', () => {
    const requested = new Map<string, number>();
    const cycles: Record<string, { before: number[]; after: number[] }> = { hq_stock: { before: [], after: [] }, hq_procured: { before: [], after: [] } };
    for (const event of run.events.parts) {
      const at = Date.parse(event.at);
      if (event.type === 'requested') requested.set(event.requestId, at);
      if (event.type !== 'received') continue;
      const since = requested.get(event.requestId) as number;
      cycles[event.source]?.[since < settings.programmeDate ? 'before' : 'after'].push((at - since) / DAY);
    }
    expect(Math.abs(mean(cycles.hq_stock?.before ?? []) - 14)).toBeLessThan(1.5);
    expect(Math.abs(mean(cycles.hq_stock?.after ?? []) - 7)).toBeLessThan(1);
    expect(Math.abs(mean(cycles.hq_procured?.before ?? []) - 9)).toBeLessThan(1);
    expect(Math.abs(mean(cycles.hq_procured?.after ?? []) - 4)).toBeLessThan(0.7);
    expect(cycles.hq_stock?.after.length).toBeGreaterThan(5000);
  });

  it('asks for parts, cancels and reopens in the shares set', () => {
    const settled = [...orders.values()].filter((o) => o.createdAt < settings.end - 60 * DAY);
    const share = (list: OrderView[], type: string) => list.filter((o) => o.types.includes(type)).length / list.length;
    expect(Math.abs(share(settled, 'parts_requested') - settings.partsShare)).toBeLessThan(0.03);
    expect(Math.abs(share(settled, 'cancelled') - settings.cancelShare)).toBeLessThan(0.005);
    const completed = [...orders.values()].filter((o) => {
      const at = o.times[o.types.indexOf('completed')];
      return at !== undefined && at < settings.end - 31 * DAY;
    });
    expect(Math.abs(share(completed, 'reopened') - settings.reopenShare)).toBeLessThan(0.006);
    for (const order of completed.filter((o) => o.types.includes('reopened'))) {
      const reopenedAt = order.times[order.types.indexOf('reopened')] as number;
      expect(reopenedAt - (order.times[order.types.indexOf('completed')] as number)).toBeLessThanOrEqual(30 * DAY);
    }
  });

  it('grows the regions at their own rates', () => {
    const regionOf = new Map(run.network.outlets.map((o) => [o.id, o.regionId]));
    const monthly = new Map<string, Map<string, number>>();
    for (const order of orders.values()) {
      if (order.channel === 'proactive') continue;
      const { year, month } = calendar.localDate(order.createdAt);
      const region = regionOf.get(order.outletId) as string;
      const counts = monthly.get(region) ?? new Map<string, number>();
      monthly.set(region, counts);
      const key = `${year}-${month}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    // Whole months only: June 2024 … May 2025.
    const growth = (region: string) => {
      const counts = monthly.get(region) as Map<string, number>;
      const sum = (keys: string[]) => keys.reduce((total, key) => total + (counts.get(key) ?? 0), 0);
      return sum(['2025-4', '2025-5']) / sum(['2024-6', '2024-7']);
    };
    // Rates at least 10 points apart: +60 %, +45 %, +10 % and 0 % a year against −10 %.
    const ratios = ['east', 'south', 'central', 'northeast'].map(growth);
    expect(ratios).toEqual([...ratios].sort((a, b) => b - a));
    expect(growth('south')).toBeGreaterThan(growth('north'));
    expect(growth('north')).toBeGreaterThan(growth('northeast'));
    expect(growth('east')).toBeGreaterThan(1.3 * growth('northeast'));
  });

  it('follows the week, the Spring Festival and Double 11', () => {
    const perDay = new Map<string, number>();
    let weekendWalkIns = 0;
    let weekendOrders = 0;
    let weekdayWalkIns = 0;
    let weekdayOrders = 0;
    for (const order of orders.values()) {
      const { year, month, day, weekday } = calendar.localDate(order.createdAt);
      const key = `${year}-${month}-${day}`;
      perDay.set(key, (perDay.get(key) ?? 0) + 1);
      const walkIn = order.channel === 'walk_in' ? 1 : 0;
      if (weekday === 0 || weekday === 6) [weekendOrders, weekendWalkIns] = [weekendOrders + 1, weekendWalkIns + walkIn];
      else [weekdayOrders, weekdayWalkIns] = [weekdayOrders + 1, weekdayWalkIns + walkIn];
    }
    const days = (year: number, month: number, from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => perDay.get(`${year}-${month}-${from + i}`) ?? 0).reduce((a, b) => a + b, 0);
    // Lunar New Year 2025 fell on 29 January.
    expect(days(2025, 1, 29, 31) + days(2025, 2, 1, 4)).toBeLessThan(0.5 * days(2025, 1, 8, 14));
    expect(days(2025, 2, 5, 11)).toBeGreaterThan(1.15 * days(2025, 1, 8, 14));
    expect(days(2024, 11, 11, 17)).toBeGreaterThan(1.2 * days(2024, 11, 1, 7));
    expect(weekendWalkIns / weekendOrders).toBeGreaterThan(weekdayWalkIns / weekdayOrders + 0.1);
  });

  it('brings more complaints from orders that waited for parts, most of them about the wait', () => {
    const complained = new Set(run.events.complaints.map((c) => c.orderId));
    const settled = [...orders.entries()].filter(([, o]) => o.createdAt < settings.end - 60 * DAY);
    const rate = (list: typeof settled) => list.filter(([id]) => complained.has(id)).length / list.length;
    const waited = settled.filter(([, o]) => o.types.includes('parts_requested'));
    const notWaited = settled.filter(([, o]) => !o.types.includes('parts_requested'));
    expect(rate(waited)).toBeGreaterThan(3 * rate(notWaited));
    const waitedIds = new Set(waited.map(([id]) => id));
    const causes = run.events.complaints.filter((c) => waitedIds.has(c.orderId ?? '')).map((c) => c.cause);
    expect(causes.filter((c) => c === 'parts_wait').length / causes.length).toBeGreaterThan(0.5);
    const waitedBefore = waited.filter(([, o]) => o.createdAt < settings.programmeDate - 30 * DAY);
    const waitedAfter = waited.filter(([, o]) => o.createdAt > settings.programmeDate + 30 * DAY);
    expect(rate(waitedAfter)).toBeLessThan(0.75 * rate(waitedBefore));
  });

  it('leaves work open at the end: backlog, open parts requests, orders waiting for parts', () => {
    const open = [...orders.values()].filter((o) => !o.types.some((t) => t === 'completed' || t === 'cancelled'));
    expect(open.length).toBeGreaterThan(200);
    const waiting = open.filter((o) => o.types.includes('parts_requested') && !o.types.includes('parts_received'));
    expect(waiting.length).toBeGreaterThan(100);
    const requestTypes = new Map<string, string[]>();
    for (const event of run.events.parts) requestTypes.set(event.requestId, [...(requestTypes.get(event.requestId) ?? []), event.type]);
    const openRequests = [...requestTypes.values()].filter((types) => !types.includes('received') && !types.includes('cancelled'));
    expect(openRequests.length).toBe(waiting.length);
    expect([...requestTypes.values()].some((types) => types.includes('cancelled'))).toBe(true);
  });

  it('lets device faults drift days before the proactive order they cause', () => {
    expect(run.faults.length).toBeGreaterThan(50);
    const devices = new Map(run.network.devices.map((d) => [d.id, d]));
    const proactive = [...orders.values()].filter((o) => o.channel === 'proactive');
    const ordered = run.faults.filter((f) => f.orderCreatedAt <= settings.end);
    expect(proactive).toHaveLength(ordered.length);
    for (const fault of run.faults) {
      const device = devices.get(fault.deviceId);
      const model = FLEET_MODELS.find((m) => m.id === device?.modelId);
      expect(model?.sensors.some((s) => s.name === fault.sensor && s.drift !== 0)).toBe(true);
      expect(fault.orderCreatedAt - fault.driftStartsAt).toBeGreaterThanOrEqual(DAY);
      expect(fault.driftStartsAt).toBeLessThanOrEqual(settings.end);
      const order = proactive.find((o) => o.deviceId === fault.deviceId && o.createdAt === fault.orderCreatedAt && o.outletId === device?.outletId);
      expect(order !== undefined).toBe(fault.orderCreatedAt <= settings.end);
    }
  });
});
