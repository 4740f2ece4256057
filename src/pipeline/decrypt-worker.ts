/** Worker thread body of the prepare pool: one key ring and one set of lookups per thread. */
import { workerData } from 'node:worker_threads';
import {
  loadKeyRing,
  runTask,
  type PreparedResult,
  type PrepareSetup,
  type PrepareTask,
  type Unwrapped,
} from './decrypt.js';
import { buildLookups } from './prepare.js';
import { threadCrashPoint } from '../core/fault-points.js';

const setup = workerData as PrepareSetup;
const ring = loadKeyRing(setup.keysDir, setup.keys);
const lookups = buildLookups(setup.directory, setup.mapping);

export default async function prepareBatch(task: PrepareTask): Promise<PreparedResult[] | Unwrapped[]> {
  // In a worker thread process.exit ends the thread only: the fault tests' "thread died".
  threadCrashPoint('worker-thread', (code) => process.exit(code));
  return runTask(task, await ring, lookups, setup);
}
