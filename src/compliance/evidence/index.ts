/** Tamper evidence: checkpoints, their signing key and time-stamps, `verify`, and what it reports. */
export * from './checkpoint.js';
export * from './problems.js';
export * from './signing-key.js';
export * from './tsa.js';
export * from './verify.js';
export * from './verify-text.js';
export * from './package.js';
export * from './schedule.js';
export type { SeqGap } from './verify-seq.js';
export * from './integrity.js';
export type * from './integrity-types.js';
export * from './verify-job.js';
