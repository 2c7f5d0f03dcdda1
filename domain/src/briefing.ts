import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './primitives.js';
import { COMPLAINT_CAUSES, PARTS_SOURCES } from './streams.js';

/** The daily briefing (DESIGN.md §1): per local day, the conclusions that concern each department. */
export const DEPARTMENTS = ['service', 'parts', 'quality', 'engineering'] as const;
export type Department = (typeof DEPARTMENTS)[number];

/** How the findings are drawn; the numbers travel with each briefing so a reader knows the rule applied. */
export const BRIEFING_RULES = {
  /** Service load: orders received in this many local days ending on the briefing day, per technician. */
  loadWindowDays: 30,
  /** A complaint spike: at least this many complaints of one cause at one outlet on the day … */
  spikeMinComplaints: 3,
  /** … and at least this multiple of the outlet's daily mean for that cause over the trailing days. */
  spikeFactor: 2,
  spikeTrailingDays: 28,
  /** Lists stop at this many rows; the counts beside them are always whole. */
  maxListed: 100,
} as const;

const LocalDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'local date in the business time zone, YYYY-MM-DD' });
const Nullable = <T extends ReturnType<typeof Type.Number>>(schema: T) => Type.Union([schema, Type.Null()]);

export const OutletAboveTarget = Type.Object({
  outletId: Type.String(),
  regionId: Type.String(),
  orders: Type.Integer({ description: 'orders received in the window ending on the day' }),
  technicians: Type.Integer(),
  load: Nullable(Type.Number({ description: 'orders per technician in the window; null when the outlet has no technician' })),
  target: Type.Number({ description: 'TARGET_ORDERS_PER_TECHNICIAN' }),
  previousDayLoad: Nullable(Type.Number({ description: 'the same figure for the window ending the day before' })),
  newlyAbove: Type.Boolean({ description: 'not above target the day before' }),
});

export const BacklogTrend = Type.Object({
  regionId: Type.Union([Type.String(), Type.Null()], { description: 'null for the whole network' }),
  end: Type.Integer({ description: 'orders open at the end of the day' }),
  previousDay: Type.Integer({ description: 'open at the end of the day before' }),
  weekBefore: Type.Integer({ description: 'open at the end of the day a week before' }),
  changeOnDay: Type.Integer(),
  changeOnWeek: Type.Integer(),
});

export const ServiceFindings = Type.Object({
  windowDays: Type.Integer(),
  outletsAboveTarget: Type.Array(OutletAboveTarget, { description: 'highest load first' }),
  outletsAboveTargetPreviousDay: Type.Integer(),
  backlog: Type.Array(BacklogTrend, { description: 'the network first, then each region' }),
});

export const RequestPastTarget = Type.Object({
  requestId: Type.String(),
  outletId: Type.String(),
  regionId: Type.Union([Type.String(), Type.Null()]),
  partNo: Type.String(),
  source: StringEnum(PARTS_SOURCES),
  requestedAt: Type.String({ description: 'ISO time of the first requested event' }),
  ageDays: Type.Number({ description: 'days from requestedAt to the end of the day' }),
  targetDays: Type.Number({ description: 'the part’s own target, else its source’s' }),
  newlyPastTarget: Type.Boolean({ description: 'its target ran out during the day' }),
});

export const PartsFindings = Type.Object({
  pastTarget: Type.Integer({ description: 'open requests older than their target at the end of the day' }),
  pastTargetPreviousDay: Type.Integer(),
  pastTargetWeekBefore: Type.Integer(),
  newlyPastTarget: Type.Integer(),
  requests: Type.Array(RequestPastTarget, { description: 'oldest first' }),
});

export const ComplaintSpike = Type.Object({
  cause: StringEnum(COMPLAINT_CAUSES),
  outletId: Type.String(),
  regionId: Type.Union([Type.String(), Type.Null()]),
  complaints: Type.Integer({ description: 'complaints of this cause at this outlet on the day' }),
  previousDay: Type.Integer(),
  trailingMean: Type.Number({ description: 'daily mean over the trailing days before the day' }),
});

export const CauseTrend = Type.Object({
  cause: StringEnum(COMPLAINT_CAUSES),
  complaints: Type.Integer({ description: 'in the whole network on the day' }),
  previousDay: Type.Integer(),
  trailingMean: Type.Number(),
});

export const QualityFindings = Type.Object({
  rule: Type.Object({ minComplaints: Type.Integer(), factor: Type.Number(), trailingDays: Type.Integer() }),
  spikes: Type.Array(ComplaintSpike, { description: 'most complaints first' }),
  byCause: Type.Array(CauseTrend),
});

export const SensorOutOfRange = Type.Object({
  deviceId: Type.String(),
  modelId: Type.String(),
  outletId: Type.String(),
  sensor: Type.String(),
  readings: Type.Integer({ description: 'readings outside [rangeMin, rangeMax] on the day' }),
  lowest: Type.Number({ description: 'lowest reading of the sensor on the day' }),
  highest: Type.Number({ description: 'highest reading of the sensor on the day' }),
  rangeMin: Type.Number(),
  rangeMax: Type.Number(),
  firstAt: Type.String({ description: 'ISO time of the first reading outside the range' }),
  previousDay: Type.Boolean({ description: 'also outside its range the day before' }),
});

export const SilentDevice = Type.Object({
  deviceId: Type.String(),
  modelId: Type.String(),
  outletId: Type.String(),
  lastReadingAt: Type.String({ description: 'ISO time of its last reading, on the day before' }),
});

export const EngineeringFindings = Type.Object({
  note: Type.String(),
  outOfRange: Type.Array(SensorOutOfRange),
  silentDevices: Type.Array(SilentDevice, { description: 'reported the day before, not on the day' }),
});

const section = <T extends ReturnType<typeof Type.Object>>(findings: T) => Type.Object({ summary: Type.String(), findings });

export const Briefing = Type.Object({
  date: LocalDate,
  timeZone: Type.String(),
  generatedAt: Type.String({ description: 'ISO time the briefing was (last) written' }),
  departments: Type.Object({
    service: Type.Optional(section(ServiceFindings)),
    parts: Type.Optional(section(PartsFindings)),
    quality: Type.Optional(section(QualityFindings)),
    engineering: Type.Optional(section(EngineeringFindings)),
  }),
});

export const BriefingDelivery = Type.Object({
  date: LocalDate,
  url: Type.String(),
  attempt: Type.Integer({ minimum: 1 }),
  outcome: StringEnum(['delivered', 'failed'] as const),
  httpStatus: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  at: Type.String(),
});

export type ServiceFindings = Static<typeof ServiceFindings>;
export type PartsFindings = Static<typeof PartsFindings>;
export type QualityFindings = Static<typeof QualityFindings>;
export type EngineeringFindings = Static<typeof EngineeringFindings>;
export type Briefing = Static<typeof Briefing>;
export type BriefingDelivery = Static<typeof BriefingDelivery>;
export interface DepartmentFindings {
  service: ServiceFindings;
  parts: PartsFindings;
  quality: QualityFindings;
  engineering: EngineeringFindings;
}

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isLocalDate(value: string): boolean {
  const t = Date.parse(`${value}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === value;
}

/** The local date `days` after (or before) `date`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The local day before `now` in `timeZone`: the day a briefing written now is about. */
export function previousLocalDay(timeZone: string, now = new Date()): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return addDays(today, -1);
}

/** The cron pattern of a daily run at local HH:MM (the scheduler applies the time zone). */
export function dailyCronPattern(localTime: string): string {
  const [hours, minutes] = localTime.split(':').map(Number) as [number, number];
  return `${minutes} ${hours} * * *`;
}

/** The webhooks of BRIEFING_WEBHOOKS, blanks dropped. */
export function briefingWebhooks(setting: string): string[] {
  return setting.split(',').map((url) => url.trim()).filter((url) => url !== '');
}

/** Job ids (BullMQ refuses ':' in them): one briefing job per day and run, one delivery per briefing version and URL. */
export function briefingJobId(date: string, run = 'scheduled'): string {
  return `briefing.${date}.${run}`;
}
export function briefingDeliveryJobId(date: string, url: string, generatedAt: string): string {
  return `briefing-delivery.${date}.${fnv1a(url)}.${Date.parse(generatedAt)}`;
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
