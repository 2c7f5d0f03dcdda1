export * from './db.js';
export * from './queues.js';
export * from './runtime.js';
export { liveChannels, readingsPublisher } from './live.js';
export { processIngestJob, telemetryWriter, type WriteOptions } from './processors/ingest.js';
export { ensureRollups, FIGURE_ROLLUPS } from './repositories/rollups.js';
export { maintainTimePartitions } from './repositories/partitions.js';
export { deliverBriefing, writeBriefing } from './processors/briefing.js';
export { listBriefingDeliveries, readBriefing } from './repositories/briefings.js';
export { checkAlarms, evaluateAlarms, queueProactiveOrders } from './processors/alarms.js';
export {
  alarmEvents, alarmRuleReferences, ALARM_TRANSITIONS, getAlarm, listAlarmRules, listAlarms, transitionAlarm, upsertAlarmRule,
} from './repositories/alarms.js';
export { ensureRulModel, refreshDeviceRul, type StoredRulModel } from './processors/rul.js';
export { readDeviceRul } from './repositories/rul.js';
export { readCmapssFile, readTrueRul, resolveCmapssDir } from './rul/cmapss.js';
export { flushDueReadingRollups, flushReadingRollups, rebuildReadingRollups, readingRollupKind, READING_ROLLUPS } from './repositories/readingRollups.js';
