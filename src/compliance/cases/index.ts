/** eDiscovery cases: members, legal holds, and the rules for who sees which case. */
export * from './cases.js';
export * from './holds.js';
export * from './review.js';
