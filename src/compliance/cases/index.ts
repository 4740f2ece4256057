/** eDiscovery cases: members, legal holds, review sets and their reviewers and tags, closing and reopening. */
export * from './cases.js';
export * from './case-status.js';
export * from './holds.js';
export * from './review.js';
export * from './reviewers.js';
export * from './tags.js';
export type * from './types.js';
