export * from './types.js';
export { IngestClient } from './client.js';
export { backfill, streamLive, type Backfill } from './run.js';
export { defaultCmapssDir } from './telemetry/index.js';
export { defaultSettings } from './settings.js';
export { computeTruth } from './truth.js';
