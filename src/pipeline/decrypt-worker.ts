/**
 * Worker thread body of the prepare pool: one normalizer (the module the source names, with
 * its key ring) and one set of lookups per thread.
 */
import { workerData } from 'node:worker_threads';
import { loadNormalizer, runTask, type PrepareSetup, type PrepareTask } from './prepare-task.js';
import { buildLookups } from './prepare.js';
import { threadCrashPoint } from '../core/fault-points.js';

const setup = workerData as PrepareSetup;
const normalizer = loadNormalizer(setup.normalizer);
const lookups = buildLookups(setup.directory, setup.mapping);

export default async function prepareBatch(task: PrepareTask): ReturnType<typeof runTask> {
  // In a worker thread process.exit ends the thread only: the fault tests' "thread died".
  threadCrashPoint('worker-thread', (code) => process.exit(code));
  return runTask(task, await normalizer, lookups, setup);
}
