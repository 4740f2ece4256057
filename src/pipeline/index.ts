/** The pipeline's public face: runs, their reports and the schedule. */
export { runOnce, type RunOptions, type RunProgress, type RunReport } from './run.js';
export { runConnector, type ConnectorRunReport } from './run-connector.js';
export { emptyCounters, heldTotal, type RunCounters } from './counters.js';
export { HOLD_REASONS, type HoldReason } from './hold-reasons.js';
export { buildConnector, type RuntimeSecrets } from './connector.js';
export { defaultPrepareThreads } from './worker-pool.js';
export { startSchedule, type Schedule } from './schedule.js';
