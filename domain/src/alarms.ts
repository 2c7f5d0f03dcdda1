import { Type, type Static } from '@sinclair/typebox';
import { Id, StringEnum } from './primitives.js';
import { SensorName } from './streams.js';
import type { FieldError } from './validation.js';

/** Telemetry alarms (DESIGN.md §6): rules per device model and sensor, alarms per rule and device. */
export const ALARM_RULE_KINDS = ['limit', 'rate', 'drift', 'stale'] as const;
export type AlarmRuleKind = (typeof ALARM_RULE_KINDS)[number];
export const ALARM_SEVERITIES = ['warning', 'critical'] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];
export const ALARM_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlarmStatus = (typeof ALARM_STATUSES)[number];

/** The alarms job that follows a telemetry job: the same id, so a redelivered telemetry job is evaluated once. */
export function alarmsJobId(telemetryJobId: string): string {
  return `alarms.${telemetryJobId}`;
}

/** The normal consistency constant: 1.4826 × MAD estimates the standard deviation of normal data. */
export const MAD_TO_SIGMA = 1.4826;
/** Used when the MAD is 0 (more than half the baseline equal): 1.2533 × mean absolute deviation estimates σ. */
export const MEAN_AD_TO_SIGMA = 1.2533;

const DAY_SECONDS = 86_400;

/** Every parameter any kind takes; which ones a kind needs is in ALARM_RULE_PARAMS. */
export const AlarmRuleParams = Type.Object(
  {
    low: Type.Optional(Type.Number({ description: 'limit: alarm below this value' })),
    high: Type.Optional(Type.Number({ description: 'limit: alarm above this value' })),
    holdSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * DAY_SECONDS, description: 'limit: how long the value must stay outside [low, high]' })),
    maxPerMinute: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'rate: largest allowed |change| per minute' })),
    windowSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: DAY_SECONDS, description: 'rate: the span the change is measured over' })),
    baselineCount: Type.Optional(Type.Integer({ minimum: 5, maximum: 10_000, description: 'drift: readings in the baseline, just before the recent ones' })),
    recentCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'drift: latest readings whose median is compared with the baseline' })),
    k: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000, description: 'drift: robust deviations (1.4826·MAD of the baseline) the recent median may depart' })),
    minDeviation: Type.Optional(Type.Number({ minimum: 0, description: 'drift: smallest departure that counts, in the sensor unit (default 0)' })),
    staleSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 * DAY_SECONDS, description: 'stale: alarm when the sensor has not reported for this long' })),
  },
  { additionalProperties: false, description: 'per kind — limit: holdSeconds, low and/or high; rate: maxPerMinute, windowSeconds; drift: baselineCount, recentCount, k, minDeviation?; stale: staleSeconds' },
);
export type AlarmRuleParams = Static<typeof AlarmRuleParams>;
type ParamName = keyof AlarmRuleParams;

/** The parameters each kind requires and accepts. */
export const ALARM_RULE_PARAMS: Record<AlarmRuleKind, { required: ParamName[]; optional: ParamName[] }> = {
  limit: { required: ['holdSeconds'], optional: ['low', 'high'] },
  rate: { required: ['maxPerMinute', 'windowSeconds'], optional: [] },
  drift: { required: ['baselineCount', 'recentCount', 'k'], optional: ['minDeviation'] },
  stale: { required: ['staleSeconds'], optional: [] },
};

/** PUT /api/v1/alarm-rules/:id */
export const AlarmRuleBody = Type.Object(
  {
    modelId: Id,
    sensor: SensorName,
    kind: StringEnum(ALARM_RULE_KINDS),
    params: AlarmRuleParams,
    severity: StringEnum(ALARM_SEVERITIES),
    escalateAfterSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * DAY_SECONDS, description: 'an alarm still open (not acknowledged) this long is escalated to critical' })),
    createServiceOrder: Type.Optional(Type.Boolean({ default: false, description: 'a critical alarm of this rule creates a proactive service order' })),
    productLine: Type.Optional(Id),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
export type AlarmRuleBody = Static<typeof AlarmRuleBody>;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const AlarmRule = Type.Object({
  ruleId: Type.String(),
  modelId: Type.String(),
  sensor: Type.String(),
  kind: StringEnum(ALARM_RULE_KINDS),
  params: AlarmRuleParams,
  severity: StringEnum(ALARM_SEVERITIES),
  escalateAfterSeconds: Nullable(Type.Integer()),
  createServiceOrder: Type.Boolean(),
  productLine: Nullable(Type.String()),
  enabled: Type.Boolean(),
  updatedAt: Type.String(),
});
export type AlarmRule = Static<typeof AlarmRule>;

export const Alarm = Type.Object({
  alarmId: Type.String(),
  ruleId: Type.String(),
  deviceId: Type.String(),
  sensor: Type.String(),
  kind: StringEnum(ALARM_RULE_KINDS),
  severity: StringEnum(ALARM_SEVERITIES),
  status: StringEnum(ALARM_STATUSES),
  openedAt: Type.String({ description: 'when the system raised it' }),
  lastTriggeredAt: Type.String({ description: 'when a rule evaluation last found the condition' }),
  triggerCount: Type.Integer({ description: 'evaluations that found the condition, the first included' }),
  value: Nullable(Type.Number({ description: 'the reading that tripped it last (stale: the last reading)' })),
  readingAt: Nullable(Type.String({ description: 'event time of that reading' })),
  message: Type.String(),
  acknowledgedBy: Nullable(Type.String()),
  acknowledgedAt: Nullable(Type.String()),
  resolvedBy: Nullable(Type.String()),
  resolvedAt: Nullable(Type.String()),
  escalatedAt: Nullable(Type.String()),
  serviceOrderId: Nullable(Type.String({ description: 'the proactive service order it created' })),
});
export type Alarm = Static<typeof Alarm>;

export const ALARM_ACTIONS = ['opened', 'repeated', 'escalated', 'service_order', 'acknowledged', 'resolved'] as const;
export const AlarmEvent = Type.Object({
  at: Type.String(),
  action: StringEnum(ALARM_ACTIONS),
  actor: Type.String({ description: 'the API key name, or "system"' }),
  detail: Type.Unknown(),
});
export type AlarmEvent = Static<typeof AlarmEvent>;
export const AlarmWithEvents = Type.Composite([Alarm, Type.Object({ events: Type.Array(AlarmEvent, { description: 'oldest first' }) })]);

/**
 * Checks what the schema cannot: each kind takes its own parameters, a limit has a bound, and a rule
 * that creates service orders names their product line. Paths are JSON pointers into the body.
 */
export function alarmRuleErrors(body: AlarmRuleBody): FieldError[] {
  const errors: FieldError[] = [];
  const { required, optional } = ALARM_RULE_PARAMS[body.kind];
  const accepted = [...required, ...optional];
  for (const name of Object.keys(body.params) as ParamName[]) {
    if (!accepted.includes(name)) errors.push({ path: `/params/${name}`, message: `is not a parameter of a ${body.kind} rule, which takes ${accepted.join(', ')}` });
  }
  for (const name of required) {
    if (body.params[name] === undefined) errors.push({ path: `/params/${name}`, message: `is required for a ${body.kind} rule` });
  }
  const { low, high } = body.params;
  if (body.kind === 'limit' && low === undefined && high === undefined) {
    errors.push({ path: '/params/high', message: 'a limit rule needs low, high or both' });
  }
  if (body.kind === 'limit' && low !== undefined && high !== undefined && low > high) {
    errors.push({ path: '/params/high', message: `must be at least low (${low}), got ${high}` });
  }
  if (body.createServiceOrder && body.productLine === undefined) {
    errors.push({ path: '/productLine', message: 'is required when createServiceOrder is true: the proactive service order needs a product line' });
  }
  return errors;
}

/** What the evaluation needs of a rule. */
export interface AlarmRuleSpec {
  kind: AlarmRuleKind;
  sensor: string;
  params: AlarmRuleParams;
  unit?: string;
}

/** One reading of the rule's sensor; `at` in epoch milliseconds. */
export interface ReadingPoint {
  at: number;
  value: number;
}

/** A rule's condition found: the reading behind it and a message a person can act on. */
export interface AlarmTrip {
  at: number;
  value: number;
  message: string;
}

/**
 * Which readings of one device and sensor the evaluation needs: every reading from `lookbackSeconds`
 * before the new ones, plus the one just before that (a run or a rate may start there); or the latest `latest`.
 */
export function readingsNeeded(rule: AlarmRuleSpec): { lookbackSeconds: number } | { latest: number } {
  const p = rule.params;
  switch (rule.kind) {
    case 'limit':
      return { lookbackSeconds: p.holdSeconds ?? 0 };
    case 'rate':
      return { lookbackSeconds: p.windowSeconds ?? 0 };
    case 'drift':
      return { latest: (p.baselineCount ?? 0) + (p.recentCount ?? 0) };
    case 'stale':
      return { latest: 1 };
  }
}

/**
 * Decides whether a rule trips on a device's readings of its sensor (time-ordered). Only a condition
 * completed by a reading at or after `since` (the new data) counts, so that data already judged is not
 * judged again; `now` matters for staleness alone. Returns the latest trip, or null.
 */
export function evaluateAlarmRule(rule: AlarmRuleSpec, readings: readonly ReadingPoint[], options: { since: number; now: number }): AlarmTrip | null {
  switch (rule.kind) {
    case 'limit':
      return evaluateLimit(rule, readings, options.since);
    case 'rate':
      return evaluateRate(rule, readings, options.since);
    case 'drift':
      return evaluateDrift(rule, readings, options.since);
    case 'stale':
      return evaluateStale(rule, readings, options.now);
  }
}

/** Outside [low, high] at every reading of a run lasting at least holdSeconds, first to last reading. */
function evaluateLimit(rule: AlarmRuleSpec, readings: readonly ReadingPoint[], since: number): AlarmTrip | null {
  const { low = -Infinity, high = Infinity, holdSeconds = 0 } = rule.params;
  let runStart: ReadingPoint | null = null;
  let trip: { start: ReadingPoint; end: ReadingPoint; worst: number } | null = null;
  let worst = 0;
  for (const reading of readings) {
    const outside = reading.value < low || reading.value > high;
    if (!outside) {
      runStart = null;
      continue;
    }
    if (runStart === null) {
      runStart = reading;
      worst = reading.value;
    }
    if (Math.abs(excess(reading.value, low, high)) > Math.abs(excess(worst, low, high))) worst = reading.value;
    if (reading.at >= since && reading.at - runStart.at >= holdSeconds * 1000) trip = { start: runStart, end: reading, worst };
  }
  if (trip === null) return null;
  const { start, end } = trip;
  const side = end.value > high ? `above ${fmt(high)}` : `below ${fmt(low)}`;
  return {
    at: end.at,
    value: end.value,
    message: `${rule.sensor} has been ${side}${unit(rule)} for ${duration(end.at - start.at)} (${iso(start.at)} to ${iso(end.at)}; ` +
      `last ${fmt(end.value)}, furthest ${fmt(trip.worst)}): inspect the device and acknowledge the alarm once someone is on it.`,
  };
}

const excess = (value: number, low: number, high: number) => (value > high ? value - high : value < low ? low - value : 0);

/** |Δvalue / Δt| above maxPerMinute, Δ taken from the latest reading at least windowSeconds older. */
function evaluateRate(rule: AlarmRuleSpec, readings: readonly ReadingPoint[], since: number): AlarmTrip | null {
  const { maxPerMinute = Infinity, windowSeconds = 60 } = rule.params;
  const window = windowSeconds * 1000;
  let trip: AlarmTrip | null = null;
  let j = -1; // the latest index whose reading is at least `window` older than reading i
  for (let i = 0; i < readings.length; i++) {
    const current = readings[i]!;
    while (j + 1 < i && readings[j + 1]!.at <= current.at - window) j++;
    if (current.at < since || j < 0) continue;
    const base = readings[j]!;
    const perMinute = ((current.value - base.value) / (current.at - base.at)) * 60_000;
    if (Math.abs(perMinute) > maxPerMinute) {
      const verb = perMinute > 0 ? 'rose' : 'fell';
      trip = {
        at: current.at,
        value: current.value,
        message: `${rule.sensor} ${verb} ${fmt(Math.abs(current.value - base.value))}${unit(rule)} in ${duration(current.at - base.at)} ` +
          `(${fmt(Math.abs(perMinute))} a minute, limit ${fmt(maxPerMinute)}) to ${fmt(current.value)} at ${iso(current.at)}: check the device for a fault or a bad sensor.`,
      };
    }
  }
  return trip;
}

/**
 * The median of the latest recentCount readings departs from the median of the baselineCount readings before
 * them by more than k robust deviations (1.4826·MAD; 1.2533·mean absolute deviation when the MAD is 0), and
 * by more than minDeviation. Judged at the latest reading, which must be new.
 */
function evaluateDrift(rule: AlarmRuleSpec, readings: readonly ReadingPoint[], since: number): AlarmTrip | null {
  const { baselineCount = 0, recentCount = 1, k = Infinity, minDeviation = 0 } = rule.params;
  if (readings.length < baselineCount + recentCount) return null;
  const latest = readings.at(-1)!;
  if (latest.at < since) return null;
  const recent = readings.slice(-recentCount).map((r) => r.value);
  const baseline = readings.slice(-recentCount - baselineCount, -recentCount).map((r) => r.value);
  const stats = robustStats(baseline);
  const recentMedian = median(recent);
  const departure = recentMedian - stats.median;
  if (Math.abs(departure) <= Math.max(k * stats.scale, minDeviation)) return null;
  const deviations = stats.scale > 0 ? `${fmt(Math.abs(departure) / stats.scale)} robust deviations (${fmt(stats.scale)}${unit(rule)} each; limit ${fmt(k)})` : 'while its baseline never varied';
  return {
    at: latest.at,
    value: latest.value,
    message: `${rule.sensor} has drifted ${departure > 0 ? 'up' : 'down'}: the median of its last ${recentCount} readings, ${fmt(recentMedian)}${unit(rule)}, ` +
      `is ${fmt(Math.abs(departure))} from its baseline median ${fmt(stats.median)}, ${deviations}, as of ${iso(latest.at)}: plan an inspection.`,
  };
}

/** No reading for staleSeconds before `now`; `readings` holds at least the latest reading (a device never heard from is not judged). */
function evaluateStale(rule: AlarmRuleSpec, readings: readonly ReadingPoint[], now: number): AlarmTrip | null {
  const { staleSeconds = Infinity } = rule.params;
  const last = readings.at(-1);
  if (!last || now - last.at < staleSeconds * 1000) return null;
  return {
    at: last.at,
    value: last.value,
    message: `No ${rule.sensor} reading for ${duration(now - last.at)} (last ${fmt(last.value)}${unit(rule)} at ${iso(last.at)}; ` +
      `limit ${duration(staleSeconds * 1000)}): check the device's power, gateway and connection.`,
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median and a robust estimate of the spread of `values`. */
export function robustStats(values: readonly number[]): { median: number; mad: number; scale: number } {
  const m = median(values);
  const deviations = values.map((v) => Math.abs(v - m));
  const mad = median(deviations);
  const meanAd = deviations.reduce((sum, d) => sum + d, 0) / deviations.length;
  return { median: m, mad, scale: mad > 0 ? MAD_TO_SIGMA * mad : MEAN_AD_TO_SIGMA * meanAd };
}

const unit = (rule: AlarmRuleSpec) => (rule.unit ? ` ${rule.unit}` : '');
const iso = (ms: number) => new Date(ms).toISOString();

/** Three decimals, or three significant digits below 1. */
function fmt(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Math.abs(n) >= 1 ? Math.round(n * 1000) / 1000 : Number(n.toPrecision(3)));
}

/** 45 s, 12 min, 3 h 5 min, 2 d 4 h. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}
