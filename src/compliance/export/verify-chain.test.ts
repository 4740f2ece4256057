// The chains verify-export keeps of a file's contents and of its items tell two sequences apart by
// their values, order and length; gathering the items of the files that differ again holds at
// most the pass's limit at once (one whole file, when files are not split), and gives back each
// file's items, in the manifest's order, with the entries the chains skipped skipped again.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyChain, extend, gatherItems, sameChain, type Gathered } from './verify-chain.js';

const chainOf = (values: (string | undefined)[]) => {
  const c = emptyChain();
  for (const v of values) extend(c, v);
  return c;
};

it('chains the same values in the same order alike, and tell order, length and a missing value apart', () => {
  expect(sameChain(chainOf(['a', 'b']), chainOf(['a', 'b']))).toBe(true);
  expect(sameChain(chainOf(['a', 'b']), chainOf(['b', 'a']))).toBe(false);
  expect(sameChain(chainOf(['a']), chainOf(['a', 'b']))).toBe(false);
  expect(sameChain(chainOf([]), emptyChain())).toBe(true);
  // a value that is not there is neither the empty string nor any other
  expect(chainOf([undefined]).hash).not.toBe(chainOf(['']).hash);
  expect(chainOf(['ab']).hash).not.toBe(chainOf(['a', 'b']).hash);
});

interface Entry {
  path: string;
  value: string;
  skip?: boolean;
}

/** The passes `gatherItems` makes over `entries`, and how many times it read them. */
async function gather(
  files: { path: string; items: number }[],
  entries: Entry[],
  opts: { limit: number; split: boolean },
): Promise<{ passes: Gathered<string>[][]; reads: number }> {
  let reads = 0;
  const passes: Gathered<string>[][] = [];
  const items = async function* () {
    reads++;
    yield* entries;
  };
  for await (const pass of gatherItems(files, items, (e) => (e.skip ? undefined : e), opts)) passes.push(pass);
  return { passes, reads };
}

describe('gatherItems', () => {
  const entries: Entry[] = [
    { path: 'a', value: 'a0' },
    { path: 'b', value: 'b0' },
    { path: 'a', value: 'bad', skip: true },
    { path: 'c', value: 'c0' },
    { path: 'a', value: 'a1' },
    { path: 'a', value: 'a2' },
  ];
  const files = [
    { path: 'a', items: 3 },
    { path: 'b', items: 1 },
  ];

  it('spreads a file over passes when split, each pass holding at most the limit', async () => {
    const { passes, reads } = await gather(files, entries, { limit: 2, split: true });
    expect(reads).toBe(2);
    expect(passes).toEqual([
      [{ path: 'a', from: 0, values: ['a0', 'a1'], last: false, count: 3 }],
      [
        { path: 'a', from: 2, values: ['a2'], last: true, count: 3 },
        { path: 'b', from: 0, values: ['b0'], last: true, count: 1 },
      ],
    ]);
  });

  it('gathers a file whole when not split, however many its items, and as many files as fit in a pass', async () => {
    const { passes, reads } = await gather(files, entries, { limit: 2, split: false });
    expect(reads).toBe(2);
    expect(passes).toEqual([
      [{ path: 'a', from: 0, values: ['a0', 'a1', 'a2'], last: true, count: 3 }],
      [{ path: 'b', from: 0, values: ['b0'], last: true, count: 1 }],
    ]);
    expect((await gather(files, entries, { limit: 4, split: false })).reads).toBe(1);
  });

  it('gives back each file whole and in order, whatever the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ path: fc.constantFrom('a', 'b', 'c', 'd'), skip: fc.boolean() }), { maxLength: 40 }),
        fc.subarray(['a', 'b', 'c', 'd']),
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        async (drawn, wanted, limit, split) => {
          const entries = drawn.map((e, n) => ({ ...e, value: `${e.path}${n}` }));
          const of = (path: string) => entries.filter((e) => e.path === path && !e.skip).map((e) => e.value);
          const files = wanted.map((path) => ({ path, items: of(path).length }));
          const { passes } = await gather(files, entries, { limit, split });
          const got = new Map<string, string[]>();
          for (const pass of passes) {
            if (split || pass.length > 1)
              expect(pass.reduce((n, g) => n + g.values.length, 0)).toBeLessThanOrEqual(limit);
            for (const g of pass) {
              expect(g.from).toBe(got.get(g.path)?.length ?? 0);
              expect(g.count).toBe(of(g.path).length);
              got.set(g.path, [...(got.get(g.path) ?? []), ...g.values]);
              expect(g.last).toBe(got.get(g.path)!.length === g.count);
            }
          }
          expect([...got.keys()]).toEqual(wanted);
          for (const path of wanted) expect(got.get(path)).toEqual(of(path));
        },
      ),
    );
  });
});
