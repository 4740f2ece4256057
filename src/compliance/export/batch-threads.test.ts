import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchiverError } from '../../core/errors.js';
import { defaultBatchThreads, writeBatches, type BatchWriter } from './batch-threads.js';
import type { BatchDone } from './batch-write.js';
import type { WrittenItem } from './journal.js';
import type { ExportKeyPage } from '../../store/index.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function* batchesOf(keys: string[], size: number): AsyncGenerator<ExportKeyPage> {
  for (let i = 0; i < keys.length; i += size) yield { keys: keys.slice(i, i + size), rowids: null };
}

/** A writer that answers each batch after a delay, noting which item numbers it wrote and how many batches it held at once. */
function writer(depth: number, delay: (first: number) => number, failAt?: number) {
  const log = { firsts: [] as number[], at: [] as number[], held: 0, maxHeld: 0 };
  const w: BatchWriter = {
    depth,
    close: async () => undefined,
    write: async (first, { keys }) => {
      log.firsts.push(first);
      log.at.push(Date.now());
      log.maxHeld = Math.max(log.maxHeld, ++log.held);
      await tick(delay(first));
      log.held--;
      if (failAt !== undefined && first <= failAt && failAt < first + keys.length)
        throw new ArchiverError('WXA_EXPORT_FAILED', `item ${failAt} failed`);
      const done: BatchDone = {
        items: keys.map((k, i) => ({ n: first + i, itemKey: k }) as WrittenItem),
        files: keys.map((k) => `/x/${k}`),
      };
      return done;
    },
  };
  return { w, log };
}

describe('writeBatches', () => {
  it('journals every batch once, in list order, with the item numbers of its place, whatever the writers and their speeds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 4 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: 0, max: 20 }),
        async (count, size, spec, from) => {
          const keys = Array.from({ length: count }, (_, i) => `k${from + i}`);
          const writers = spec.map(([depth, d]) => writer(depth, (first) => (first * 7 + d) % 5));
          const journaled: WrittenItem[][] = [];
          let journaling = 0;
          await writeBatches({
            batches: batchesOf(keys, size),
            first: from,
            writers: writers.map((x) => x.w),
            journal: async (done) => {
              expect(++journaling).toBe(1); // one journal write at a time
              await tick(1);
              journaled.push(done.flatMap((d) => d.items));
              journaling--;
            },
          });
          const items = journaled.flat();
          expect(items.map((i) => i.itemKey)).toEqual(keys);
          expect(items.map((i) => i.n)).toEqual(keys.map((_, i) => from + i));
          // each writer held at most its depth of batches
          for (const [i, x] of writers.entries()) expect(x.log.maxHeld).toBeLessThanOrEqual(spec[i]![0]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('uses every writer when there is enough to do, and one sync covers the batches ready together', async () => {
    const fast = writer(1, () => 0);
    const slow = writer(2, () => 15);
    const calls: number[] = [];
    await writeBatches({
      batches: batchesOf(
        Array.from({ length: 100 }, (_, i) => `k${i}`),
        5,
      ),
      first: 0,
      writers: [fast.w, slow.w],
      journal: async (done) => {
        calls.push(done.length);
        await tick(10);
      },
    });
    expect(fast.log.firsts.length).toBeGreaterThan(0);
    expect(slow.log.firsts.length).toBeGreaterThan(0);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(20);
    expect(calls.length).toBeLessThan(20);
  });

  it('on a failed batch begins nothing new, journals the batches before it, and raises the earliest failure', async () => {
    const a = writer(1, () => 1, 23);
    const b = writer(2, () => 3, 12);
    const journaled: number[] = [];
    const run = writeBatches({
      batches: batchesOf(
        Array.from({ length: 200 }, (_, i) => `k${i}`),
        5,
      ),
      first: 0,
      writers: [a.w, b.w],
      journal: async (done) => {
        journaled.push(...done.flatMap((d) => d.items.map((i) => i.n)));
      },
    });
    // item 12 is in the batch from 10: whichever writer had it, that is the earliest failure
    await expect(run).rejects.toThrow(/item (12|23) failed/);
    const begun = [...a.log.firsts, ...b.log.firsts];
    // nothing was begun far past the failures, and no batch at or after a failed one is journaled
    expect(Math.max(...begun)).toBeLessThan(100);
    expect(journaled).toEqual(journaled.map((_, i) => i));
    expect(journaled.length).toBeLessThanOrEqual(20);
  });

  it('a writer joins once it is ready, and one that never is takes no batch', async () => {
    const own = writer(1, () => 1);
    const late = writer(2, () => 1);
    const never = writer(2, () => 1);
    let joined!: (ok: boolean) => void;
    const lateReady = new Promise<boolean>((r) => (joined = r));
    const t0 = Date.now();
    setTimeout(() => joined(true), 30);
    const journaled: number[] = [];
    await writeBatches({
      batches: batchesOf(
        Array.from({ length: 400 }, (_, i) => `k${i}`),
        5,
      ),
      first: 0,
      writers: [own.w, { ...late.w, ready: lateReady }, { ...never.w, ready: Promise.resolve(false) }],
      journal: async (done) => {
        journaled.push(...done.flatMap((d) => d.items.map((i) => i.n)));
      },
    });
    expect(journaled).toEqual(journaled.map((_, i) => i));
    expect(journaled.length).toBe(400);
    expect(never.log.firsts).toEqual([]);
    // the late writer began nothing before it was ready, and then took a share
    expect(late.log.firsts.length).toBeGreaterThan(0);
    expect(Math.min(...late.log.at) - t0).toBeGreaterThanOrEqual(25);
  });

  it('raises a failure to read the key list once every writer has stopped, journaling what came before', async () => {
    async function* failing(): AsyncGenerator<ExportKeyPage> {
      yield* batchesOf(
        Array.from({ length: 50 }, (_, i) => `k${i}`),
        5,
      );
      throw new Error('key list unreadable');
    }
    const a = writer(1, () => 2);
    const b = writer(2, () => 3);
    const journaled: number[] = [];
    await expect(
      writeBatches({
        batches: failing(),
        first: 0,
        writers: [a.w, b.w],
        journal: async (done) => {
          journaled.push(...done.flatMap((d) => d.items.map((i) => i.n)));
        },
      }),
    ).rejects.toThrow('key list unreadable');
    expect(a.log.held + b.log.held).toBe(0);
    expect(journaled).toEqual(journaled.map((_, i) => i));
  });

  it('raises a failure of the journal after the writers have stopped', async () => {
    const a = writer(2, () => 2);
    await expect(
      writeBatches({
        batches: batchesOf(
          Array.from({ length: 100 }, (_, i) => `k${i}`),
          5,
        ),
        first: 0,
        writers: [a.w],
        journal: async () => {
          throw new Error('disk full');
        },
      }),
    ).rejects.toThrow('disk full');
    expect(a.log.held).toBe(0);
    expect(a.log.firsts.length).toBeLessThan(20);
  });
});

describe('defaultBatchThreads', () => {
  it('is one per core but one, at most three, and none for a small export', () => {
    expect(defaultBatchThreads(100_000, 500, 2)).toBe(1);
    expect(defaultBatchThreads(100_000, 500, 1)).toBe(0);
    expect(defaultBatchThreads(100_000, 500, 16)).toBe(3);
    expect(defaultBatchThreads(1_999, 500, 16)).toBe(0);
    expect(defaultBatchThreads(2_000, 500, 16)).toBe(3);
  });
});
