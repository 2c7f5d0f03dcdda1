export * from './db.js';
export * from './queues.js';
export * from './runtime.js';
export { processIngestJob } from './processors/ingest.js';
export { maintainTimePartitions } from './repositories/partitions.js';
