import type { Complaint, PartsRequestEvent, ServiceOrderEvent } from '@servicetower/domain';
import { customersByOutlet, FLEET_MODELS, PRODUCT_LINES, productLineOfPart, type ProductLineProfile } from './network.js';
import type { Random } from './random.js';
import { BusinessCalendar, type LocalDate } from './settings.js';
import type { DeviceFault, EventLog, Network, SimulationSettings } from './types.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const YEAR = 365.25 * DAY;

type Outlet = Network['outlets'][number];
type Part = Network['parts'][number];
type Channel = NonNullable<ServiceOrderEvent['channel']>;

export interface History {
  events: EventLog;
  faults: DeviceFault[];
}

/**
 * A year (or whatever the settings span) of the network's life, day by day in the business time
 * zone. Each outlet draws from a stream of its own, so outlets do not shift each other's orders.
 * Nothing after `settings.end` is emitted: orders, parts requests and waits still open then stay open.
 */
export function generateHistory(network: Network, settings: SimulationSettings, rng: Random): History {
  const calendar = new BusinessCalendar(settings.timeZone);
  const world: World = {
    settings,
    calendar,
    log: new EventLogBuilder(calendar, settings.end),
    parts: partsByLine(network.parts),
    customers: customersByOutlet(network),
  };
  const days = businessDays(calendar, settings.start, settings.end);
  const meanTechnicians = network.outlets.reduce((sum, o) => sum + o.technicians, 0) / Math.max(1, network.outlets.length);
  for (const outlet of network.outlets) {
    const random = rng.child(`orders:${outlet.id}`);
    // Demand follows the headcount each outlet was given for its load when the year began.
    const base = settings.ordersPerOutletPerDay * (outlet.technicians / meanTechnicians) * random.lognormal(1, 0.2);
    const growth = settings.regionGrowth[outlet.regionId] ?? settings.defaultGrowth;
    for (const day of days) {
      const mean = base * day.demand * (1 + growth) ** ((day.at - settings.start) / YEAR);
      const channelMix = day.date.weekday === 0 || day.date.weekday === 6 ? WEEKEND_CHANNEL_MIX : WEEKDAY_CHANNEL_MIX;
      let n = 0;
      for (const line of PRODUCT_LINES) {
        for (let k = random.poisson(mean * line.orderShare); k > 0; k -= 1) {
          const channel = random.weighted(CHANNELS, channelMix);
          const createdAt = day.at + random.weighted(HOURS, HOUR_WEIGHTS[channel]) * HOUR + Math.round(random.uniform(0, 3600)) * 1000;
          if (createdAt < settings.start || createdAt > settings.end) continue;
          n += 1;
          simulateOrder(world, random, {
            id: `${outlet.id}-${day.key}-${String(n).padStart(3, '0')}`,
            outlet, line, createdAt, channel, customerId: pickCustomer(world.customers.get(outlet.id) ?? [], random),
          });
        }
      }
    }
  }
  const faults = simulateFaults(world, network, rng);
  return { events: world.log.build(), faults };
}

interface World {
  settings: SimulationSettings;
  calendar: BusinessCalendar;
  log: EventLogBuilder;
  parts: Map<string, Part[]>;
  customers: Map<string, string[]>;
}

interface Order {
  id: string;
  outlet: Outlet;
  line: ProductLineProfile;
  createdAt: number;
  channel: Channel;
  customerId: string | undefined;
  deviceId?: string;
}

interface Step {
  at: number;
  type: ServiceOrderEvent['type'];
  technicianId?: string;
  laborCost?: number;
}

interface PartsRequest {
  part: Part;
  quantity: number;
  requestedAt: number;
  shippedAt: number;
  receivedAt: number;
}

/** One order's whole life, planned first and then cut short by a cancellation or by the end of the run. */
function simulateOrder(world: World, random: Random, order: Order): void {
  const { settings } = world;
  const technicianId = `${order.outlet.id}-t${random.int(1, Math.max(1, order.outlet.technicians))}`;
  const walkIn = order.channel === 'walk_in';
  let steps: Step[] = [{ at: order.createdAt, type: 'created' }];
  let at = later(order.createdAt, walkIn ? random.lognormal(0.4, 0.8) : random.lognormal(3, 0.9));
  steps.push({ at, type: 'assigned', technicianId });
  at = later(at, walkIn ? random.lognormal(0.5, 0.8) : random.lognormal(20, 0.6));
  steps.push({ at, type: 'visit_started', technicianId });
  let visits = 1;
  let request: PartsRequest | undefined;
  if (random.bernoulli(settings.partsShare)) {
    at = later(at, random.uniform(0.5, 4));
    request = planPartsRequest(world, random, order.line.id, at);
    steps.push({ at, type: 'parts_requested' }, { at: request.receivedAt, type: 'parts_received' });
    at = request.receivedAt;
    // Most parts are fitted on a second visit; a walk-in device waits at the counter.
    if (!walkIn && random.bernoulli(0.85)) {
      at = later(at, random.lognormal(16, 0.6));
      steps.push({ at, type: 'visit_started', technicianId });
      visits += 1;
    }
  } else if (random.bernoulli(0.12)) {
    at = later(at, random.lognormal(30, 0.6));
    steps.push({ at, type: 'visit_started', technicianId });
    visits += 1;
  }
  const completedAt = later(at, random.lognormal(2.5, 0.6));
  const laborCost = money(random.lognormal(order.line.laborCost * (0.7 + 0.3 * visits), 0.3));
  steps.push({ at: completedAt, type: 'completed', technicianId, laborCost });
  const closedAt = later(completedAt, random.lognormal(26, 0.5));
  steps.push({ at: closedAt, type: 'closed' });

  let cancelledAt: number | undefined;
  if (random.bernoulli(settings.cancelShare)) {
    const cancelAt = later(order.createdAt, random.uniform(0, (completedAt - order.createdAt) / HOUR));
    steps = steps.filter((step) => step.at < cancelAt);
    steps.push({ at: cancelAt, type: 'cancelled' });
    if (request && cancelAt <= request.requestedAt) request = undefined;
    cancelledAt = cancelAt;
  } else if (random.bernoulli(settings.reopenShare)) {
    const reopenedAt = Math.min(later(closedAt, random.exponential(6 * 24)), completedAt + 30 * DAY - HOUR);
    const visitAt = later(reopenedAt, random.lognormal(20, 0.6));
    const reworkedAt = later(visitAt, random.lognormal(2.5, 0.6));
    steps.push(
      { at: reopenedAt, type: 'reopened', technicianId },
      { at: visitAt, type: 'visit_started', technicianId },
      { at: reworkedAt, type: 'completed', technicianId, laborCost: money(random.lognormal(order.line.laborCost * 0.5, 0.3)) },
      { at: later(reworkedAt, random.lognormal(26, 0.5)), type: 'closed' },
    );
  }
  world.log.order(order, steps);
  if (request) world.log.partsRequest(order, request, cancelledAt);
  maybeComplain(world, random, order, request, cancelledAt ?? completedAt);
}

function planPartsRequest(world: World, random: Random, lineId: string, requestedAt: number): PartsRequest {
  const parts = world.parts.get(lineId) ?? [];
  // Popular parts come first in the catalogue and are requested far more often.
  const part = parts[Math.floor(parts.length * random.next() ** 2)] as Part;
  const cycle = world.settings.supplyDays[part.source];
  const meanDays = requestedAt < world.settings.programmeDate ? cycle.before : cycle.after;
  const days = random.lognormal(meanDays, 0.35);
  // Stocked parts leave headquarters early; procured ones only once bought in.
  const shippedShare = part.source === 'hq_stock' ? random.uniform(0.15, 0.5) : random.uniform(0.55, 0.8);
  return {
    part,
    quantity: random.bernoulli(0.8) ? 1 : 2,
    requestedAt,
    shippedAt: later(requestedAt, days * shippedShare * 24),
    receivedAt: later(requestedAt, days * 24),
  };
}

/**
 * Complaint odds follow the settings' formula, on the days waited for parts and the days until the
 * order was completed (or cancelled); the cause is drawn in proportion to what drove the odds.
 */
function maybeComplain(world: World, random: Random, order: Order, request: PartsRequest | undefined, finishedAt: number): void {
  const { base, perWaitDay, perTurnaroundDay } = world.settings.complaint;
  // A cancelled order stops waiting when it is cancelled.
  const waitEnd = request ? Math.min(request.receivedAt, finishedAt) : finishedAt;
  const waitTerm = request ? (perWaitDay * (waitEnd - request.requestedAt)) / DAY : 0;
  const turnaroundTerm = (perTurnaroundDay * (finishedAt - order.createdAt)) / DAY;
  if (!random.bernoulli(Math.min(0.9, base + waitTerm + turnaroundTerm))) return;
  const cause = random.weighted(CAUSES, [waitTerm, turnaroundTerm, base * 0.45, base * 0.3, base * 0.25]);
  const after = cause === 'parts_wait' ? waitEnd : finishedAt;
  const severity = Math.min(3, random.weighted([0, 1, 2, 3], [0.4, 0.35, 0.2, 0.05]) + (waitTerm + turnaroundTerm > 0.2 ? 1 : 0));
  world.log.complaint(order, {
    at: later(after, random.exponential(10)),
    cause,
    channel: random.weighted(COMPLAINT_CHANNELS, [0.6, 0.3, 0.1]),
    severity: SEVERITIES[severity] as NonNullable<Complaint['severity']>,
  });
}

/**
 * Now and then a fleet device's sensor drifts for some days until the drift is noticed and a
 * proactive service order is opened for it; the telemetry stream plays the drift from `faults`.
 * A drift under way at the end is returned too, though its order falls after the end.
 */
function simulateFaults(world: World, network: Network, rng: Random): DeviceFault[] {
  const { settings, calendar } = world;
  const faults: DeviceFault[] = [];
  const outlets = new Map(network.outlets.map((outlet) => [outlet.id, outlet]));
  for (const device of network.devices) {
    const model = FLEET_MODELS.find((m) => m.id === device.modelId);
    const line = PRODUCT_LINES.find((l) => l.id === model?.productLine);
    const outlet = outlets.get(device.outletId);
    if (!model || !line || !outlet) continue;
    const random = rng.child(`faults:${device.id}`);
    const sensors = model.sensors.filter((sensor) => sensor.drift !== 0);
    let at = later(settings.start, random.exponential(FAULT_GAP_DAYS * 24));
    while (at <= settings.end) {
      const orderCreatedAt = later(at, random.lognormal(5, 0.5) * 24 + 24);
      faults.push({ deviceId: device.id, sensor: random.pick(sensors).name, driftStartsAt: at, orderCreatedAt });
      if (orderCreatedAt > settings.end) break;
      simulateOrder(world, random, {
        id: `${outlet.id}-${dayKey(calendar.localDate(orderCreatedAt))}-${device.id}`,
        outlet, line, createdAt: orderCreatedAt, channel: 'proactive', customerId: device.customerId, deviceId: device.id,
      });
      at = later(orderCreatedAt, (14 + random.exponential(FAULT_GAP_DAYS)) * 24);
    }
  }
  return faults;
}

/** Mean days between the faults of one device. */
const FAULT_GAP_DAYS = 180;

/** Collects the events as they are planned and hands them back sorted by time, stamped in the business zone. */
class EventLogBuilder {
  private readonly orders = new Timeline<ServiceOrderEvent>();
  private readonly parts = new Timeline<PartsRequestEvent>();
  private readonly complaints = new Timeline<Complaint>();

  constructor(private readonly calendar: BusinessCalendar, private readonly end: number) {}

  order(order: Order, steps: readonly Step[]): void {
    steps.forEach((step, i) => {
      if (step.at > this.end) return;
      const event: ServiceOrderEvent = {
        eventId: `${order.id}-${i + 1}`, orderId: order.id, type: step.type, at: this.calendar.stamp(step.at),
        outletId: order.outlet.id, productLine: order.line.id,
      };
      if (step.technicianId) event.technicianId = step.technicianId;
      if (step.type === 'created') {
        if (order.customerId) event.customerId = order.customerId;
        if (order.deviceId) event.deviceId = order.deviceId;
        event.channel = order.channel;
      }
      if (step.laborCost !== undefined) event.laborCost = step.laborCost;
      this.orders.add(step.at, event);
    });
  }

  partsRequest(order: Order, request: PartsRequest, cancelledAt: number | undefined): void {
    const requestId = `${order.id}-r1`;
    const steps: Array<[number, PartsRequestEvent['type']]> = [
      [request.requestedAt, 'requested'], [request.shippedAt, 'shipped'], [request.receivedAt, 'received'],
    ];
    const kept = steps.filter(([at]) => cancelledAt === undefined || at < cancelledAt);
    // An order cancelled while its part is on the way cancels the request too.
    if (cancelledAt !== undefined && kept.length < steps.length) kept.push([cancelledAt, 'cancelled']);
    kept.forEach(([at, type], i) => {
      if (at > this.end) return;
      this.parts.add(at, {
        eventId: `${requestId}-${i + 1}`, requestId, type, at: this.calendar.stamp(at), outletId: order.outlet.id,
        partNo: request.part.partNo, quantity: request.quantity, source: request.part.source, orderId: order.id,
        unitCost: request.part.unitCost,
      });
    });
  }

  complaint(order: Order, complaint: { at: number; cause: Complaint['cause']; channel: Channel; severity: NonNullable<Complaint['severity']> }): void {
    if (complaint.at > this.end) return;
    const complaintId = `${order.id}-k1`;
    this.complaints.add(complaint.at, {
      eventId: `${complaintId}-1`, complaintId, at: this.calendar.stamp(complaint.at), outletId: order.outlet.id,
      productLine: order.line.id, cause: complaint.cause, orderId: order.id, channel: complaint.channel, severity: complaint.severity,
    });
  }

  build(): EventLog {
    return { 'service-orders': this.orders.sorted(), parts: this.parts.sorted(), complaints: this.complaints.sorted() };
  }
}

class Timeline<T> {
  private readonly times: number[] = [];
  private readonly items: T[] = [];

  add(at: number, item: T): void {
    this.times.push(at);
    this.items.push(item);
  }

  sorted(): T[] {
    return sortByTime(this.times, this.items);
  }
}

/**
 * The items in the order of their times, to the second; items of the same second keep their order.
 * Each time and position are packed into one float and sorted natively, which is many times
 * faster than a comparator over a million events.
 */
export function sortByTime<T>(times: readonly number[], items: readonly T[]): T[] {
  const n = items.length;
  let min = Infinity;
  let max = -Infinity;
  for (const at of times) {
    if (at < min) min = at;
    if (at > max) max = at;
  }
  const seconds = (at: number) => Math.floor((at - min) / 1000);
  if ((seconds(max) + 1) * n > Number.MAX_SAFE_INTEGER) {
    const order = Array.from(items.keys()).sort((a, b) => seconds(times[a] as number) - seconds(times[b] as number) || a - b);
    return order.map((i) => items[i] as T);
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i += 1) keys[i] = seconds(times[i] as number) * n + i;
  keys.sort();
  return Array.from(keys, (key) => items[key % n] as T);
}

/** An instant `hours` after `at`, at least a minute later, to the second. */
function later(at: number, hours: number): number {
  return Math.round((at + Math.max(hours, 1 / 60) * HOUR) / 1000) * 1000;
}

function money(value: number): number {
  return Math.round(value * 100) / 100;
}

function partsByLine(parts: readonly Part[]): Map<string, Part[]> {
  const byLine = new Map<string, Part[]>();
  for (const part of parts) {
    const line = productLineOfPart(part.partNo);
    if (!line) continue;
    const list = byLine.get(line);
    if (list) list.push(part);
    else byLine.set(line, [part]);
  }
  return byLine;
}

/** A few customers (shops, companies) bring many orders; most bring one now and then. */
function pickCustomer(pool: readonly string[], random: Random): string | undefined {
  return pool[Math.floor(pool.length * random.next() ** 2)];
}

function dayKey(date: LocalDate): string {
  return `${date.year}${String(date.month).padStart(2, '0')}${String(date.day).padStart(2, '0')}`;
}

interface BusinessDay {
  at: number;
  date: LocalDate;
  key: string;
  /** Demand that day relative to an ordinary day: weekday, season and holidays. */
  demand: number;
}

function businessDays(calendar: BusinessCalendar, start: number, end: number): BusinessDay[] {
  const days: BusinessDay[] = [];
  const first = calendar.localDate(start);
  for (let i = 0; ; i += 1) {
    const at = calendar.midnight(first.year, first.month, first.day + i);
    if (at > end) return days;
    const date = calendar.localDate(at + HOUR);
    days.push({ at, date, key: dayKey(date), demand: (WEEKDAY_DEMAND[date.weekday] ?? 1) * seasonal(date) * holiday(date) });
  }
}

/** Sunday first. Weekends bring more walk-in customers. */
const WEEKDAY_DEMAND = [1.08, 1.02, 0.97, 0.95, 0.95, 0.98, 1.12];

/** A broad summer high (heat, school holidays) and a winter low. */
function seasonal(date: LocalDate): number {
  const dayOfYear = (Date.UTC(date.year, date.month - 1, date.day) - Date.UTC(date.year, 0, 1)) / DAY;
  return 1 + 0.08 * Math.cos((2 * Math.PI * (dayOfYear - 200)) / 365.25);
}

/** Lunar New Year's Day: the Spring Festival moves with the lunar calendar. */
const SPRING_FESTIVAL: Record<number, [number, number]> = {
  2015: [2, 19], 2016: [2, 8], 2017: [1, 28], 2018: [2, 16], 2019: [2, 5], 2020: [1, 25], 2021: [2, 12],
  2022: [2, 1], 2023: [1, 22], 2024: [2, 10], 2025: [1, 29], 2026: [2, 17], 2027: [2, 6], 2028: [1, 26],
  2029: [2, 13], 2030: [2, 3], 2031: [1, 23], 2032: [2, 11], 2033: [1, 31], 2034: [2, 19], 2035: [2, 8],
};

/**
 * Spring Festival: quiet while people travel home and celebrate, then the repairs put off come in.
 * 618 and Double 11: the shopping festivals' deliveries bring installation and early-failure orders.
 * National Day and Labour Day weeks: outlets run short-handed, then catch up.
 */
function holiday(date: LocalDate): number {
  const festival = SPRING_FESTIVAL[date.year];
  if (festival) {
    const d = (Date.UTC(date.year, date.month - 1, date.day) - Date.UTC(date.year, festival[0] - 1, festival[1])) / DAY;
    if (d >= -7 && d < 0) return 0.6;
    if (d >= 0 && d < 7) return 0.35;
    if (d >= 7 && d < 21) return 1 + (0.35 * (21 - d)) / 14;
  }
  const { month, day } = date;
  if (month === 6 && day >= 15 && day <= 25) return 1.25;
  if (month === 11 && day >= 11 && day <= 22) return 1.35;
  if (month === 10) return day <= 7 ? 0.7 : day <= 14 ? 1.15 : 1;
  if (month === 5 && day <= 5) return 0.85;
  return 1;
}

/** Channels customers open orders through; proactive orders come from device faults. */
const CHANNELS = ['call_centre', 'web', 'walk_in'] as const;
const WEEKDAY_CHANNEL_MIX = [0.45, 0.25, 0.3];
const WEEKEND_CHANNEL_MIX = [0.35, 0.2, 0.45];
const COMPLAINT_CHANNELS: readonly Channel[] = ['call_centre', 'web', 'walk_in'];
const CAUSES: ReadonlyArray<Complaint['cause']> = ['parts_wait', 'turnaround', 'repair_quality', 'staff_conduct', 'other'];
const SEVERITIES: ReadonlyArray<Complaint['severity']> = ['low', 'medium', 'high', 'critical'];

const HOURS = Array.from({ length: 24 }, (_, h) => h);
/** When customers reach each channel: outlets open 9:00–20:00, the call centre 8:00–22:00, the web never closes. */
const HOUR_WEIGHTS: Record<(typeof CHANNELS)[number], number[]> = {
  walk_in: HOURS.map((h) => (h < 9 || h >= 20 ? 0 : h === 12 || h === 13 ? 0.8 : h >= 18 ? 0.6 : 1)),
  call_centre: HOURS.map((h) => (h < 8 || h >= 22 ? 0 : (h >= 9 && h <= 11) || (h >= 14 && h <= 16) ? 1 : 0.6)),
  web: HOURS.map((h) => (h < 7 ? 0.15 : h >= 19 && h <= 22 ? 1.4 : 0.8)),
};
