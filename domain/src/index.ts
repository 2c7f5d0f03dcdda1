export * from './primitives.js';
export * from './streams.js';
export * from './reference.js';
export * from './validation.js';
export * from './jobs.js';
export * from './config.js';
export * from './kpi.js';
export * from './briefing.js';
