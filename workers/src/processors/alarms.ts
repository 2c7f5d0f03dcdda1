import type { Queue } from 'bullmq';
import {
  evaluateAlarmRule, ingestJobId, readingsNeeded, type Alarm, type AlarmRuleSpec, type ChangeNotice, type IngestJob, type QueuePayloads,
  type ServiceOrderEvent, type TelemetryRecord,
} from '@servicetower/domain';
import { inTransaction, type Pool, type Queryable } from '../db.js';
import {
  claimServiceOrders, escalateAlarms, lastReadingsForStaleRules, latestReadings, markServiceOrdersQueued, pendingServiceOrders, readingWindows,
  recordTrip, rulesForDevices, type PendingServiceOrderRow, type RuleToEvaluate,
} from '../repositories/alarms.js';

/*
 * Alarm semantics (DESIGN.md §6):
 * - limit, rate and drift rules are judged after each telemetry job, on the devices it wrote, counting only
 *   conditions completed by its new readings; stale rules and escalation by the check run every minute.
 * - An alarm is never resolved automatically: a condition that clears leaves it open until a person resolves
 *   it, so that nobody misses a fault that came and went. While it is open (or acknowledged) a new trip of its
 *   rule on the device updates it (trigger_count, value, message) instead of opening another.
 * - A rule with createServiceOrder gives each of its alarms that is critical (opened so, or escalated) one
 *   proactive service order, ALM-<alarm id>, written by the service-order writer like any other.
 */

const spec = (rule: RuleToEvaluate): AlarmRuleSpec => ({ kind: rule.kind, sensor: rule.sensor, params: rule.params, ...(rule.unit ? { unit: rule.unit } : {}) });

/** The alarms job that follows a telemetry job: its devices and the event-time range it wrote. */
export function alarmsJobFor(records: readonly TelemetryRecord[], notice: ChangeNotice): QueuePayloads['alarms'] {
  return { deviceIds: [...new Set(records.map((r) => r.deviceId))].sort(), from: notice.from, to: notice.to };
}

/**
 * Judges the limit, rate and drift rules of the devices a telemetry job wrote, on the readings each rule needs
 * around the job's range [from, to], and opens or updates their alarms. Returns the alarms that changed.
 */
export async function evaluateAlarms(pool: Pool, job: QueuePayloads['alarms'], now = new Date()): Promise<Alarm[]> {
  const from = new Date(job.from);
  const to = new Date(job.to);
  return inTransaction(pool, async (db) => {
    const changed = new Map<string, Alarm>();
    for (const rule of await rulesForDevices(db, job.deviceIds, ['limit', 'rate', 'drift'])) {
      const need = readingsNeeded(spec(rule));
      const readings = 'latest' in need
        ? await latestReadings(db, rule.device_ids, rule.sensor, to, need.latest)
        : await readingWindows(db, rule.device_ids, rule.sensor, new Date(from.getTime() - need.lookbackSeconds * 1000), to);
      for (const deviceId of rule.device_ids) {
        const trip = evaluateAlarmRule(spec(rule), readings.get(deviceId) ?? [], { since: from.getTime(), now: now.getTime() });
        const recorded = trip && (await recordTrip(db, rule, deviceId, trip));
        if (recorded) changed.set(recorded.alarm.alarmId, recorded.alarm);
      }
    }
    return withServiceOrders(db, changed);
  });
}

/**
 * The periodic check at `now`: opens stale alarms for devices whose sensor has not reported for its rule's
 * staleSeconds (a device never heard from is not judged), and escalates alarms left unacknowledged too long.
 */
export async function checkAlarms(pool: Pool, now = new Date()): Promise<Alarm[]> {
  return inTransaction(pool, async (db) => {
    const changed = new Map<string, Alarm>();
    for (const row of await lastReadingsForStaleRules(db, now)) {
      const trip = evaluateAlarmRule(spec(row), [{ at: row.at.getTime(), value: row.value }], { since: 0, now: now.getTime() });
      const recorded = trip && (await recordTrip(db, row, row.device_id, trip));
      if (recorded) changed.set(recorded.alarm.alarmId, recorded.alarm);
    }
    for (const alarm of await escalateAlarms(db, now)) changed.set(alarm.alarmId, alarm);
    return withServiceOrders(db, changed);
  });
}

/** Claims the proactive orders the changed alarms call for; returns every changed alarm in its latest state. */
async function withServiceOrders(db: Queryable, changed: Map<string, Alarm>): Promise<Alarm[]> {
  if (changed.size === 0) return [];
  for (const alarm of await claimServiceOrders(db, [...changed.keys()])) changed.set(alarm.alarmId, alarm);
  return [...changed.values()];
}

/** The created event of a proactive order; its ids come from the alarm, so it is created once however often it is queued. */
export function proactiveOrderEvent(row: PendingServiceOrderRow): ServiceOrderEvent {
  return {
    eventId: `${row.service_order_id}.created`,
    orderId: row.service_order_id,
    type: 'created',
    at: row.opened_at.toISOString(),
    outletId: row.outlet_id,
    productLine: row.product_line,
    deviceId: row.device_id,
    ...(row.customer_id ? { customerId: row.customer_id } : {}),
    channel: 'proactive',
    note: row.message.slice(0, 2000),
  };
}

/**
 * Queues the created event of every proactive order not yet queued into the service-orders queue, as an
 * ingestion job with an id derived from the alarm, then marks them queued. Returns the order ids.
 */
export async function queueProactiveOrders(pool: Pool, queue: Queue<IngestJob<'service-orders'>>): Promise<string[]> {
  const pending = await pendingServiceOrders(pool);
  if (pending.length === 0) return [];
  await queue.addBulk(
    pending.map((row) => {
      const batchId = `alarm-${row.alarm_id}-${row.opened_at.getTime()}`;
      return { name: 'service-orders', data: { batchId, part: 0, records: [proactiveOrderEvent(row)] }, opts: { jobId: ingestJobId(batchId, 0) } };
    }),
  );
  await markServiceOrdersQueued(pool, pending.map((row) => row.alarm_id));
  return pending.map((row) => row.service_order_id);
}
