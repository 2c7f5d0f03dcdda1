import type {
  Alarm, AlarmEvent, AlarmRule, AlarmRuleBody, AlarmRuleKind, AlarmRuleParams, AlarmSeverity, AlarmStatus, AlarmTrip, ReadingPoint,
} from '@servicetower/domain';
import type { Queryable } from '../db.js';

/** Readings of one device and sensor one evaluation reads at most; limits and rates need no more. */
export const MAX_WINDOW_READINGS = 20_000;

interface AlarmRuleRow {
  rule_id: string;
  device_model_id: string;
  sensor: string;
  kind: AlarmRuleKind;
  params: AlarmRuleParams;
  severity: AlarmSeverity;
  escalate_after_seconds: number | null;
  create_service_order: boolean;
  product_line: string | null;
  enabled: boolean;
  updated_at: Date;
}

const toAlarmRule = (row: AlarmRuleRow): AlarmRule => ({
  ruleId: row.rule_id,
  modelId: row.device_model_id,
  sensor: row.sensor,
  kind: row.kind,
  params: row.params,
  severity: row.severity,
  escalateAfterSeconds: row.escalate_after_seconds,
  createServiceOrder: row.create_service_order,
  productLine: row.product_line,
  enabled: row.enabled,
  updatedAt: row.updated_at.toISOString(),
});

/** Whether the model, its sensor and the product line a rule names exist. */
export async function alarmRuleReferences(db: Queryable, body: AlarmRuleBody): Promise<{ model: boolean; sensor: boolean; productLine: boolean }> {
  const { rows } = await db.query<{ model: boolean; sensor: boolean; product_line: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM device_model WHERE device_model_id = $1) AS model,
            EXISTS (SELECT 1 FROM device_model_sensor WHERE device_model_id = $1 AND name = $2) AS sensor,
            $3::text IS NULL OR EXISTS (SELECT 1 FROM product_line WHERE product_line_id = $3) AS product_line`,
    [body.modelId, body.sensor, body.productLine ?? null],
  );
  const row = rows[0]!;
  return { model: row.model, sensor: row.sensor, productLine: row.product_line };
}

/** Creates or replaces a rule; only the parameters of its kind are kept. */
export async function upsertAlarmRule(db: Queryable, ruleId: string, body: AlarmRuleBody, params: AlarmRuleParams): Promise<AlarmRule> {
  const { rows } = await db.query<AlarmRuleRow>(
    `INSERT INTO alarm_rule (rule_id, device_model_id, sensor, kind, params, severity, escalate_after_seconds, create_service_order, product_line, enabled)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10)
     ON CONFLICT (rule_id) DO UPDATE SET
       device_model_id = excluded.device_model_id, sensor = excluded.sensor, kind = excluded.kind, params = excluded.params,
       severity = excluded.severity, escalate_after_seconds = excluded.escalate_after_seconds,
       create_service_order = excluded.create_service_order, product_line = excluded.product_line, enabled = excluded.enabled, updated_at = now()
     RETURNING *`,
    [ruleId, body.modelId, body.sensor, body.kind, JSON.stringify(params), body.severity, body.escalateAfterSeconds ?? null,
      body.createServiceOrder ?? false, body.productLine ?? null, body.enabled ?? true],
  );
  return toAlarmRule(rows[0]!);
}

export async function listAlarmRules(db: Queryable, modelId: string | null): Promise<AlarmRule[]> {
  const { rows } = await db.query<AlarmRuleRow>(
    'SELECT * FROM alarm_rule WHERE $1::text IS NULL OR device_model_id = $1 ORDER BY rule_id',
    [modelId],
  );
  return rows.map(toAlarmRule);
}

/** An enabled rule, with its sensor's unit, and the devices of its model it applies to. */
export interface RuleToEvaluate extends AlarmRuleRow {
  unit: string | null;
  device_ids: string[];
}

/** The enabled rules of the given kinds that apply to some of `deviceIds` (null: every device). */
export async function rulesForDevices(db: Queryable, deviceIds: readonly string[] | null, kinds: readonly AlarmRuleKind[]): Promise<RuleToEvaluate[]> {
  const { rows } = await db.query<RuleToEvaluate>(
    `SELECT r.*, s.unit, array_agg(d.device_id ORDER BY d.device_id) AS device_ids
     FROM alarm_rule r
     JOIN device d ON d.device_model_id = r.device_model_id
     LEFT JOIN device_model_sensor s ON s.device_model_id = r.device_model_id AND s.name = r.sensor
     WHERE r.enabled AND r.kind = ANY($2::text[]) AND ($1::text[] IS NULL OR d.device_id = ANY($1::text[]))
     GROUP BY r.rule_id, s.unit
     ORDER BY r.rule_id`,
    [deviceIds, kinds],
  );
  return rows;
}

interface ReadingRow {
  device_id: string;
  at: Date;
  value: number;
}

function byDevice(rows: ReadingRow[]): Map<string, ReadingPoint[]> {
  const out = new Map<string, ReadingPoint[]>();
  for (const row of rows) {
    const list = out.get(row.device_id) ?? [];
    list.push({ at: row.at.getTime(), value: row.value });
    out.set(row.device_id, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.at - b.at);
  return out;
}

/**
 * Each device's readings of a sensor in [start, end], plus the one just before `start` (a run or a rate
 * may begin there). Both halves walk the reading primary key (device_id, sensor, at).
 */
export async function readingWindows(db: Queryable, deviceIds: readonly string[], sensor: string, start: Date, end: Date): Promise<Map<string, ReadingPoint[]>> {
  const { rows } = await db.query<ReadingRow>(
    `SELECT d.device_id, r.at, r.value
     FROM unnest($1::text[]) AS d(device_id)
     CROSS JOIN LATERAL (
       (SELECT at, value FROM reading WHERE device_id = d.device_id AND sensor = $2 AND at < $3::timestamptz ORDER BY at DESC LIMIT 1)
       UNION ALL
       (SELECT at, value FROM reading WHERE device_id = d.device_id AND sensor = $2 AND at >= $3::timestamptz AND at <= $4::timestamptz
        ORDER BY at DESC LIMIT $5)
     ) AS r`,
    [deviceIds, sensor, start, end, MAX_WINDOW_READINGS],
  );
  return byDevice(rows);
}

/** Each device's latest `count` readings of a sensor at or before `end`. */
export async function latestReadings(db: Queryable, deviceIds: readonly string[], sensor: string, end: Date, count: number): Promise<Map<string, ReadingPoint[]>> {
  const { rows } = await db.query<ReadingRow>(
    `SELECT d.device_id, r.at, r.value
     FROM unnest($1::text[]) AS d(device_id)
     CROSS JOIN LATERAL (
       SELECT at, value FROM reading WHERE device_id = d.device_id AND sensor = $2 AND at <= $3::timestamptz ORDER BY at DESC LIMIT $4
     ) AS r`,
    [deviceIds, sensor, end, count],
  );
  return byDevice(rows);
}

interface AlarmRow {
  alarm_id: string;
  rule_id: string;
  device_id: string;
  sensor: string;
  kind: AlarmRuleKind;
  severity: AlarmSeverity;
  status: AlarmStatus;
  opened_at: Date;
  last_triggered_at: Date;
  trigger_count: number;
  value: number | null;
  reading_at: Date | null;
  message: string;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  escalated_at: Date | null;
  service_order_id: string | null;
}

const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

export const toAlarm = (row: AlarmRow): Alarm => ({
  alarmId: String(row.alarm_id),
  ruleId: row.rule_id,
  deviceId: row.device_id,
  sensor: row.sensor,
  kind: row.kind,
  severity: row.severity,
  status: row.status,
  openedAt: row.opened_at.toISOString(),
  lastTriggeredAt: row.last_triggered_at.toISOString(),
  triggerCount: row.trigger_count,
  value: row.value,
  readingAt: isoOrNull(row.reading_at),
  message: row.message,
  acknowledgedBy: row.acknowledged_by,
  acknowledgedAt: isoOrNull(row.acknowledged_at),
  resolvedBy: row.resolved_by,
  resolvedAt: isoOrNull(row.resolved_at),
  escalatedAt: isoOrNull(row.escalated_at),
  serviceOrderId: row.service_order_id,
});

/**
 * Opens the alarm of a rule and device, or updates the one still open (or acknowledged): a repeat only when
 * the trip rests on a later reading than the last one, so a re-evaluation of the same data changes nothing.
 * Returns the alarm when it opened or changed, else null. The audit trail gets the opening or the repeat.
 */
export async function recordTrip(db: Queryable, rule: Pick<AlarmRuleRow, 'rule_id' | 'sensor' | 'kind' | 'severity'>, deviceId: string, trip: AlarmTrip): Promise<{ alarm: Alarm; opened: boolean } | null> {
  const { rows } = await db.query<AlarmRow & { opened: boolean }>(
    `WITH upserted AS (
       INSERT INTO alarm (rule_id, device_id, sensor, kind, severity, value, reading_at, message)
       VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8)
       ON CONFLICT (rule_id, device_id) WHERE status <> 'resolved' DO UPDATE SET
         last_triggered_at = now(), trigger_count = alarm.trigger_count + 1,
         value = excluded.value, reading_at = excluded.reading_at, message = excluded.message,
         severity = CASE WHEN alarm.severity = 'critical' OR excluded.severity = 'critical' THEN 'critical' ELSE 'warning' END
       WHERE alarm.reading_at IS NULL OR excluded.reading_at > alarm.reading_at
       RETURNING *, (xmax = 0) AS opened
     ), logged AS (
       INSERT INTO alarm_event (alarm_id, action, actor, detail)
       SELECT alarm_id, CASE WHEN opened THEN 'opened' ELSE 'repeated' END, 'system',
              jsonb_build_object('value', value, 'readingAt', reading_at, 'triggerCount', trigger_count)
       FROM upserted
     )
     SELECT * FROM upserted`,
    [rule.rule_id, deviceId, rule.sensor, rule.kind, rule.severity, trip.value, new Date(trip.at), trip.message],
  );
  const row = rows[0];
  return row ? { alarm: toAlarm(row), opened: row.opened } : null;
}

/** The last reading of each device an enabled stale rule watches, at or before `now`; devices never heard from are left out. */
export async function lastReadingsForStaleRules(db: Queryable, now: Date): Promise<Array<RuleToEvaluate & { device_id: string; at: Date; value: number }>> {
  const { rows } = await db.query<RuleToEvaluate & { device_id: string; at: Date; value: number }>(
    `SELECT r.*, s.unit, d.device_id, last.at, last.value
     FROM alarm_rule r
     JOIN device d ON d.device_model_id = r.device_model_id
     LEFT JOIN device_model_sensor s ON s.device_model_id = r.device_model_id AND s.name = r.sensor
     CROSS JOIN LATERAL (
       SELECT at, value FROM reading WHERE device_id = d.device_id AND sensor = r.sensor AND at <= $1::timestamptz ORDER BY at DESC LIMIT 1
     ) AS last
     WHERE r.enabled AND r.kind = 'stale'
     ORDER BY r.rule_id, d.device_id`,
    [now],
  );
  return rows;
}

/**
 * Escalates the alarms left open (not acknowledged) longer than their rule's escalate_after_seconds at `now`:
 * escalated_at set, severity raised to critical, the escalation in the audit trail.
 */
export async function escalateAlarms(db: Queryable, now: Date): Promise<Alarm[]> {
  const { rows } = await db.query<AlarmRow>(
    `WITH due AS (
       SELECT a.alarm_id, a.severity AS previous, r.escalate_after_seconds
       FROM alarm a JOIN alarm_rule r USING (rule_id)
       WHERE a.status = 'open' AND a.escalated_at IS NULL AND r.escalate_after_seconds IS NOT NULL
         AND a.opened_at + make_interval(secs => r.escalate_after_seconds) <= $1::timestamptz
       FOR UPDATE OF a
     ), escalated AS (
       UPDATE alarm a SET escalated_at = $1::timestamptz, severity = 'critical'
       FROM due WHERE a.alarm_id = due.alarm_id
       RETURNING a.*, due.previous, due.escalate_after_seconds
     ), logged AS (
       INSERT INTO alarm_event (alarm_id, action, actor, detail)
       SELECT alarm_id, 'escalated', 'system',
              jsonb_build_object('previousSeverity', previous, 'unacknowledgedSeconds', escalate_after_seconds)
       FROM escalated
     )
     SELECT * FROM escalated ORDER BY alarm_id`,
    [now],
  );
  return rows.map(toAlarm);
}

/**
 * Gives each critical, unresolved alarm of a rule that creates service orders its order id (ALM-<alarm id>),
 * once. The order itself is queued by queueProactiveOrders.
 */
export async function claimServiceOrders(db: Queryable, alarmIds: readonly string[]): Promise<Alarm[]> {
  const { rows } = await db.query<AlarmRow>(
    `WITH claimed AS (
       UPDATE alarm a SET service_order_id = 'ALM-' || a.alarm_id
       FROM alarm_rule r
       WHERE a.alarm_id = ANY($1::bigint[]) AND r.rule_id = a.rule_id AND r.create_service_order
         AND a.severity = 'critical' AND a.status <> 'resolved' AND a.service_order_id IS NULL
       RETURNING a.*
     ), logged AS (
       INSERT INTO alarm_event (alarm_id, action, actor, detail)
       SELECT alarm_id, 'service_order', 'system', jsonb_build_object('orderId', service_order_id) FROM claimed
     )
     SELECT * FROM claimed ORDER BY alarm_id`,
    [alarmIds],
  );
  return rows.map(toAlarm);
}

export interface PendingServiceOrderRow {
  alarm_id: string;
  service_order_id: string;
  device_id: string;
  opened_at: Date;
  message: string;
  outlet_id: string;
  customer_id: string | null;
  product_line: string;
}

/** Proactive orders given to an alarm whose created event is not yet in the queue. */
export async function pendingServiceOrders(db: Queryable): Promise<PendingServiceOrderRow[]> {
  const { rows } = await db.query<PendingServiceOrderRow>(
    `SELECT a.alarm_id, a.service_order_id, a.device_id, a.opened_at, a.message, d.outlet_id, d.customer_id, r.product_line
     FROM alarm a JOIN alarm_rule r USING (rule_id) JOIN device d USING (device_id)
     WHERE a.service_order_id IS NOT NULL AND a.service_order_queued_at IS NULL AND r.product_line IS NOT NULL
     ORDER BY a.alarm_id`,
  );
  return rows;
}

export async function markServiceOrdersQueued(db: Queryable, alarmIds: readonly string[]): Promise<void> {
  await db.query('UPDATE alarm SET service_order_queued_at = now() WHERE alarm_id = ANY($1::bigint[])', [alarmIds]);
}

/** Alarms visible to a key limited to `regions` (null: all): those of devices at outlets in its regions. */
const IN_REGIONS = `($1::text[] IS NULL OR EXISTS (
  SELECT 1 FROM device d JOIN outlet o USING (outlet_id) WHERE d.device_id = a.device_id AND o.region_id = ANY($1::text[])))`;

export interface AlarmFilter {
  regions: string[] | null;
  status: AlarmStatus | null;
  severity: AlarmSeverity | null;
  deviceId: string | null;
  limit: number;
}

/** Newest first. */
export async function listAlarms(db: Queryable, filter: AlarmFilter): Promise<Alarm[]> {
  const { rows } = await db.query<AlarmRow>(
    `SELECT a.* FROM alarm a
     WHERE ${IN_REGIONS} AND ($2::text IS NULL OR a.status = $2) AND ($3::text IS NULL OR a.severity = $3)
       AND ($4::text IS NULL OR a.device_id = $4)
     ORDER BY a.opened_at DESC, a.alarm_id DESC
     LIMIT $5`,
    [filter.regions, filter.status, filter.severity, filter.deviceId, filter.limit],
  );
  return rows.map(toAlarm);
}

export async function getAlarm(db: Queryable, alarmId: string, regions: string[] | null): Promise<Alarm | null> {
  const { rows } = await db.query<AlarmRow>(`SELECT a.* FROM alarm a WHERE ${IN_REGIONS} AND a.alarm_id = $2::bigint`, [regions, alarmId]);
  return rows[0] ? toAlarm(rows[0]) : null;
}

export async function alarmEvents(db: Queryable, alarmId: string): Promise<AlarmEvent[]> {
  const { rows } = await db.query<{ at: Date; action: AlarmEvent['action']; actor: string; detail: unknown }>(
    'SELECT at, action, actor, detail FROM alarm_event WHERE alarm_id = $1::bigint ORDER BY at, alarm_event_id',
    [alarmId],
  );
  return rows.map((row) => ({ at: row.at.toISOString(), action: row.action, actor: row.actor, detail: row.detail }));
}

/** The statuses an alarm may leave for each person-made transition. */
export const ALARM_TRANSITIONS = {
  acknowledged: ['open'],
  resolved: ['open', 'acknowledged'],
} as const satisfies Record<'acknowledged' | 'resolved', readonly AlarmStatus[]>;

/**
 * Moves an alarm to `to` when its status allows, recording who and when; returns the changed alarm, or null
 * when the status did not allow it (the caller reads the alarm to say why).
 */
export async function transitionAlarm(db: Queryable, alarmId: string, to: keyof typeof ALARM_TRANSITIONS, actor: string): Promise<Alarm | null> {
  const { rows } = await db.query<AlarmRow>(
    `WITH before AS (
       SELECT alarm_id, status FROM alarm WHERE alarm_id = $1::bigint AND status = ANY($4::text[]) FOR UPDATE
     ), changed AS (
       UPDATE alarm a SET status = $2,
         acknowledged_by = CASE WHEN $2 = 'acknowledged' THEN $3 ELSE a.acknowledged_by END,
         acknowledged_at = CASE WHEN $2 = 'acknowledged' THEN now() ELSE a.acknowledged_at END,
         resolved_by = CASE WHEN $2 = 'resolved' THEN $3 ELSE a.resolved_by END,
         resolved_at = CASE WHEN $2 = 'resolved' THEN now() ELSE a.resolved_at END
       FROM before WHERE a.alarm_id = before.alarm_id
       RETURNING a.*, before.status AS previous
     ), logged AS (
       INSERT INTO alarm_event (alarm_id, action, actor, detail)
       SELECT alarm_id, $2, $3, jsonb_build_object('previousStatus', previous) FROM changed
     )
     SELECT * FROM changed`,
    [alarmId, to, actor, ALARM_TRANSITIONS[to]],
  );
  return rows[0] ? toAlarm(rows[0]) : null;
}
