import {
  BRIEFING_RULES, briefingDeliveryJobId, briefingWebhooks, COMPLAINT_CAUSES, isLocalDate, previousLocalDay,
  type Briefing, type Config, type EngineeringFindings, type PartsFindings, type QualityFindings, type QueuePayloads, type ServiceFindings,
} from '@servicetower/domain';
import { inTransaction, type Pool, type Queryable } from '../db.js';
import {
  backlogTrend, complaintTallies, insertBriefingDelivery, listWebhookUrls, outletLoads, pastTargetCounts, readBriefing, requestsPastTarget, sensorsOutOfRange,
  silentDevices, upsertBriefing, type BriefingSection, type SupplyTargets,
} from '../repositories/briefings.js';

const ALARM_NOTE = 'Alarm-based findings (devices with open critical alarms) come with telemetry alarms; until then these are readings outside the model’s sensor range and devices gone silent.';

/**
 * Computes and stores the briefing of one local day (default: the day before `now` in the business time
 * zone), every department from one snapshot of the data. Rewriting a day replaces its briefing.
 */
export async function writeBriefing(pool: Pool, config: Config, job: QueuePayloads['briefing'], now = new Date()): Promise<Briefing> {
  const date = job.date ?? previousLocalDay(config.BUSINESS_TIMEZONE, now);
  if (!isLocalDate(date)) throw new Error(`Briefing date ${JSON.stringify(date)} is not a calendar date: use YYYY-MM-DD.`);
  const timeZone = config.BUSINESS_TIMEZONE;
  const targets = { hq_stock: config.SUPPLY_TARGET_HQ_STOCK_DAYS, hq_procured: config.SUPPLY_TARGET_HQ_PROCURED_DAYS };
  return inTransaction(pool, async (db) => {
    await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ WRITE');
    const sections: BriefingSection[] = [
      await serviceSection(db, timeZone, date, config.TARGET_ORDERS_PER_TECHNICIAN),
      await partsSection(db, timeZone, date, targets),
      await qualitySection(db, timeZone, date),
      await engineeringSection(db, timeZone, date),
    ];
    const written = await upsertBriefing(db, date, timeZone, sections);
    return {
      date, timeZone, generatedAt: written.toISOString(),
      departments: Object.fromEntries(sections.map((s) => [s.department, { summary: s.summary, findings: s.findings }])),
    };
  });
}

async function serviceSection(db: Queryable, timeZone: string, date: string, target: number): Promise<BriefingSection> {
  const loads = await outletLoads(db, timeZone, date, target);
  const backlog = (await backlogTrend(db, timeZone, date)).map((row) => ({
    regionId: row.region_id,
    end: row.end_of_day,
    previousDay: row.previous_day,
    weekBefore: row.week_before,
    changeOnDay: row.end_of_day - row.previous_day,
    changeOnWeek: row.end_of_day - row.week_before,
  }));
  const perTechnician = (orders: number, technicians: number) => (technicians > 0 ? orders / technicians : null);
  const findings: ServiceFindings = {
    windowDays: BRIEFING_RULES.loadWindowDays,
    outletsAboveTarget: loads.filter((row) => row.above).map((row) => ({
      outletId: row.outlet_id,
      regionId: row.region_id,
      orders: row.orders,
      technicians: row.technicians,
      load: perTechnician(row.orders, row.technicians),
      target,
      previousDayLoad: perTechnician(row.previous_orders, row.technicians),
      newlyAbove: !row.previous_above,
    })),
    outletsAboveTargetPreviousDay: loads.filter((row) => row.previous_above).length,
    backlog,
  };
  const network = backlog[0]!;
  const growing = backlog.filter((row) => row.regionId !== null && row.changeOnDay > 0).map((row) => row.regionId);
  const summary = `${plural(findings.outletsAboveTarget.length, 'outlet')} above the target of ${target} orders per technician in ` +
    `${BRIEFING_RULES.loadWindowDays} days (${findings.outletsAboveTargetPreviousDay} the day before); backlog ${network.end} at day end, ` +
    `${signed(network.changeOnDay)} on the day and ${signed(network.changeOnWeek)} on the week` +
    (growing.length > 0 ? `, growing in ${growing.join(', ')}.` : '.');
  return { department: 'service', summary, findings };
}

async function partsSection(db: Queryable, timeZone: string, date: string, targets: SupplyTargets): Promise<BriefingSection> {
  const counts = await pastTargetCounts(db, timeZone, date, targets);
  const rows = await requestsPastTarget(db, timeZone, date, targets);
  const findings: PartsFindings = {
    pastTarget: counts.day,
    pastTargetPreviousDay: counts.previous_day,
    pastTargetWeekBefore: counts.week_before,
    newlyPastTarget: counts.newly,
    requests: rows.map((row) => ({
      requestId: row.request_id,
      outletId: row.outlet_id,
      regionId: row.region_id,
      partNo: row.part_no,
      source: row.source,
      requestedAt: row.requested_at.toISOString(),
      ageDays: row.age_days,
      targetDays: row.target_days,
      newlyPastTarget: row.newly,
    })),
  };
  const summary = `${plural(counts.day, 'open parts request')} past their supply target at day end, ${counts.newly} of them newly ` +
    `(${counts.previous_day} the day before, ${counts.week_before} a week before).`;
  return { department: 'parts', summary, findings };
}

async function qualitySection(db: Queryable, timeZone: string, date: string): Promise<BriefingSection> {
  const rows = await complaintTallies(db, timeZone, date);
  const mean = (trailing: number) => trailing / BRIEFING_RULES.spikeTrailingDays;
  const findings: QualityFindings = {
    rule: { minComplaints: BRIEFING_RULES.spikeMinComplaints, factor: BRIEFING_RULES.spikeFactor, trailingDays: BRIEFING_RULES.spikeTrailingDays },
    spikes: rows.filter((row) => row.spike).map((row) => ({
      cause: row.cause,
      outletId: row.outlet_id!,
      regionId: row.region_id,
      complaints: row.day,
      previousDay: row.previous_day,
      trailingMean: mean(row.trailing),
    })),
    byCause: COMPLAINT_CAUSES.map((cause) => {
      const row = rows.find((r) => r.outlet_id === null && r.cause === cause);
      return { cause, complaints: row?.day ?? 0, previousDay: row?.previous_day ?? 0, trailingMean: mean(row?.trailing ?? 0) };
    }),
  };
  const total = findings.byCause.reduce((sum, row) => sum + row.complaints, 0);
  const spikes = findings.spikes.map((s) => `${s.complaints} ${s.cause} at ${s.outletId} (mean ${s.trailingMean.toFixed(2)} a day)`);
  const summary = `${plural(total, 'complaint')} on the day; ` +
    (spikes.length > 0 ? `${plural(spikes.length, 'complaint spike')}: ${spikes.join('; ')}.` : 'no complaint spike.');
  return { department: 'quality', summary, findings };
}

async function engineeringSection(db: Queryable, timeZone: string, date: string): Promise<BriefingSection> {
  const outOfRange = (await sensorsOutOfRange(db, timeZone, date)).map((row) => ({
    deviceId: row.device_id,
    modelId: row.model_id,
    outletId: row.outlet_id,
    sensor: row.sensor,
    readings: row.readings,
    lowest: row.lowest,
    highest: row.highest,
    rangeMin: row.range_min,
    rangeMax: row.range_max,
    firstAt: row.first_at.toISOString(),
    previousDay: row.previous_day,
  }));
  const silent = (await silentDevices(db, timeZone, date)).map((row) => ({
    deviceId: row.device_id,
    modelId: row.model_id,
    outletId: row.outlet_id,
    lastReadingAt: row.last_reading_at.toISOString(),
  }));
  const findings: EngineeringFindings = { note: ALARM_NOTE, outOfRange, silentDevices: silent };
  const devices = new Set(outOfRange.map((row) => row.deviceId)).size;
  const summary = `${plural(outOfRange.length, 'sensor')} on ${plural(devices, 'device')} outside their range; ` +
    `${plural(silent.length, 'device')} silent since the day before. Open critical alarms come with telemetry alarms.`;
  return { department: 'engineering', summary, findings };
}

/**
 * The delivery jobs of a written briefing, one per webhook of BRIEFING_WEBHOOKS and of those admins added
 * (a URL in both gets one), retried with exponential backoff.
 */
export async function briefingDeliveryJobs(db: Queryable, config: Config, briefing: Briefing) {
  const urls = new Set([...briefingWebhooks(config.BRIEFING_WEBHOOKS), ...(await listWebhookUrls(db))]);
  return [...urls].map((url) => ({
    name: 'briefing-delivery',
    data: { date: briefing.date, url } satisfies QueuePayloads['briefing-delivery'],
    opts: {
      jobId: briefingDeliveryJobId(briefing.date, url, briefing.generatedAt),
      attempts: config.BRIEFING_WEBHOOK_ATTEMPTS,
      backoff: { type: 'exponential', delay: config.BRIEFING_RETRY_DELAY_MS },
    },
  }));
}

/**
 * POSTs the stored briefing of a day to one webhook and logs the attempt; throws when the receiver does not
 * answer 2xx in time, so that the queue retries it.
 */
export async function deliverBriefing(pool: Pool, config: Config, job: QueuePayloads['briefing-delivery'], attempt: number): Promise<number> {
  const briefing = await readBriefing(pool, job.date);
  if (briefing === null) throw new Error(`No briefing is stored for ${job.date}: write it before delivering it.`);
  const log = (outcome: 'delivered' | 'failed', httpStatus: number | null, error: string | null) =>
    insertBriefingDelivery(pool, { date: job.date, url: job.url, attempt, outcome, httpStatus, error });
  let status: number;
  try {
    const response = await fetch(job.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'ServiceTower briefing' },
      body: JSON.stringify(briefing),
      signal: AbortSignal.timeout(config.BRIEFING_WEBHOOK_TIMEOUT_MS),
    });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    const message = error instanceof Error && error.name === 'TimeoutError'
      ? `no answer within ${config.BRIEFING_WEBHOOK_TIMEOUT_MS} ms`
      : String((error as Error).cause ?? (error as Error).message);
    await log('failed', null, message);
    throw new Error(`Briefing ${job.date} to ${job.url}: ${message}`, { cause: error });
  }
  if (status < 200 || status >= 300) {
    await log('failed', status, `answered HTTP ${status}`);
    throw new Error(`Briefing ${job.date} to ${job.url}: answered HTTP ${status}`);
  }
  await log('delivered', status, null);
  return status;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
