/** The audit log's public face: append, list and verify the hash-chained events. */
export * from './actions.js';
export * from './log.js';
export * from './verify.js';
export * from './cli-read.js';
export * from './export.js';
export * from './retention.js';
export * from './schedule.js';
