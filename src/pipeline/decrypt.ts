/**
 * Preparing captured records on worker threads so that every core works: the source's prepare
 * step (for WeCom, the RSA unwrap of each record's key, the costliest step of the whole product
 * at ~3,500 ops/s per core, then DecryptData and parsing), then mapping and (where possible)
 * rendering (what each thread runs is in prepare-task.ts). A failure comes back as data (code
 * and message) for the pipeline to hold, never as a crash of the batch.
 */
import { defaultPrepareThreads, leasePool, runWithRetry } from './worker-pool.js';
import type { Logger } from '../core/logger.js';
import { buildLookups } from './prepare.js';
import {
  failure,
  loadNormalizer,
  runTask,
  type Begun,
  type PreparedResult,
  type PrepareSetup,
  type PrepareTask,
} from './prepare-task.js';

export {
  loadNormalizer,
  runTask,
  type Begun,
  type PreparedMessage,
  type PreparedResult,
  type PrepareSetup,
  type PrepareTask,
} from './prepare-task.js';

export interface Preparer {
  prepare(records: string[]): Promise<PreparedResult[]>;
  close(): Promise<void>;
}

/** The main thread's part of a split prepare step (PrepareSpec.answer). */
export type RemoteAnswer = (ask: unknown) => Promise<Uint8Array>;

/**
 * The split path around a task runner: begin on the threads, answer from here (for WeCom the
 * vendor's DecryptData in its host process, which batches the calls), end on the threads again.
 */
async function prepareSplit(
  records: string[],
  run: (t: PrepareTask) => Promise<PreparedResult[] | Begun[]>,
  answer: RemoteAnswer,
): Promise<PreparedResult[]> {
  const begun = (await run({ op: 'begin', records })) as Begun[];
  const out: (PreparedResult | undefined)[] = new Array(records.length);
  const items: { json: string; ask: unknown; answer: Uint8Array }[] = [];
  const where: number[] = [];
  await Promise.all(
    begun.map(async (b, i) => {
      if (!b.ok) {
        out[i] = b.result;
        return;
      }
      try {
        items.push({ json: records[i]!, ask: b.ask, answer: await answer(b.ask) });
        where.push(i);
      } catch (err) {
        out[i] = failure(err);
      }
    }),
  );
  const ended = items.length ? ((await run({ op: 'end', items })) as PreparedResult[]) : [];
  ended.forEach((r, k) => (out[where[k]!] = r));
  return out as PreparedResult[];
}

/** A preparer over a task runner: the whole step on the threads, or split around the main thread's answer. */
function preparerOver(
  run: (t: PrepareTask) => Promise<PreparedResult[] | Begun[]>,
  answer: RemoteAnswer | undefined,
  close: () => Promise<void>,
): Preparer {
  return {
    prepare: async (records) =>
      answer ? prepareSplit(records, run, answer) : ((await run({ op: 'prepare', records })) as PreparedResult[]),
    close,
  };
}

/** Prepares on the calling thread: used by tests and by `workers: 0`. */
export async function inlinePreparer(setup: PrepareSetup, answer?: RemoteAnswer): Promise<Preparer> {
  const normalizer = await loadNormalizer(setup.normalizer);
  const lookups = buildLookups(setup.directory, setup.mapping);
  return preparerOver(
    (t) => runTask(t, normalizer, lookups, setup),
    answer,
    async () => undefined,
  );
}

/**
 * Prepares on a pool of worker threads (by default one per core but one: defaultPrepareThreads);
 * a batch is split across them.
 * `opts.slot` (the connector id) shares the pool across runs (see worker-pool.ts).
 */
export async function poolPreparer(
  setup: PrepareSetup,
  threads = defaultPrepareThreads(),
  answer?: RemoteAnswer,
  opts: { slot?: string; logger?: Logger } = {},
): Promise<Preparer> {
  const { pool, release } = await leasePool(setup, threads, opts.slot);
  const split = async <T, R>(list: T[], task: (part: T[]) => PrepareTask): Promise<R[]> => {
    const size = Math.max(8, Math.ceil(list.length / (threads * 2)));
    const parts: Promise<R[]>[] = [];
    for (let i = 0; i < list.length; i += size)
      parts.push(runWithRetry<R[]>(pool, task(list.slice(i, i + size)), opts.logger));
    return (await Promise.all(parts)).flat();
  };
  const run = (t: PrepareTask): Promise<PreparedResult[] | Begun[]> =>
    t.op === 'end'
      ? split<(typeof t.items)[number], PreparedResult>(t.items, (items) => ({ op: 'end', items }))
      : (split<string, PreparedResult | Begun>(t.records, (records) => ({ op: t.op, records })) as Promise<
          PreparedResult[] | Begun[]
        >);
  return preparerOver(run, answer, release);
}
