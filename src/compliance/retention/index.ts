/** Retention: policies, the conflict rules, evaluation and disposition. */
export * from './policy.js';
export * from './decide.js';
export * from './scope.js';
export * from './policies.js';
export * from './evaluate.js';
export * from './disposition.js';
