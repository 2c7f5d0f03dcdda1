export * from './types.js';
export { IngestClient } from './client.js';
export { backfill, streamLive } from './run.js';
export { defaultSettings } from './settings.js';
export { computeTruth } from './truth.js';
