export * from './cmapss.js';
export * from './devices.js';
