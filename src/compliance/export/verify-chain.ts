/**
 * How verify-export compares what a file holds with the manifest's items in it without keeping
 * either side: each is a count and a SHA-256 chained over its values in order (some 100 bytes a
 * file), and only for a file whose two differ are its items gathered again, by reading the
 * manifest anew, a bounded batch per pass, to name each one at fault. Used by the RSMF check
 * (verify-rsmf.ts) and the mbox check (verify-mbox.ts).
 */
import { createHash } from 'node:crypto';

/** Items gathered at most per pass over the manifest to name the items of files that differ. */
export const DETAIL_ITEMS = 100_000;

/** A sequence as kept: how many values, and the hash chained over them. */
export interface Chain {
  count: number;
  hash: string;
}

export const emptyChain = (): Chain => ({ count: 0, hash: '' });

/** The next link of a chain: the hash of the chain so far and `value`. */
function link(chain: string, value: string | undefined): string {
  // an undefined value (an RSMF event that names no item) hashes apart from any string
  return createHash('sha256')
    .update(chain)
    .update(value === undefined ? '\u0002' : `\u0001${value}`)
    .digest('base64');
}

/** `chain` with `value` added at its end. */
export function extend(chain: Chain, value: string | undefined): void {
  chain.count++;
  chain.hash = link(chain.hash, value);
}

export const sameChain = (a: Chain, b: Chain): boolean => a.count === b.count && a.hash === b.hash;

/** A stretch of one file's items gathered in a pass. */
export interface Gathered<T> {
  path: string;
  /** the place, among the file's items in the manifest's order, of the first of `values` (from 0) */
  from: number;
  values: T[];
  /** whether `values` run to the end of the file's items (a file's last stretch, or its only one) */
  last: boolean;
  /** the file's items this pass read in the manifest, gathered or not */
  count: number;
}

/** A file whose items are to be gathered: its path and how many items the manifest listed in it. */
export interface ToGather {
  path: string;
  items: number;
}

interface Stretch {
  path: string;
  from: number;
  to: number;
  last: boolean;
}

/**
 * The stretches each pass gathers, at most `limit` items a pass and at least one stretch. With
 * `split`, a file with more items than a pass has room for is spread over passes, each of its
 * stretches but the last filling its pass; without, a file's items are gathered whole, in one
 * pass (for a check that needs them all at once).
 */
function plan(files: readonly ToGather[], limit: number, split: boolean): Stretch[][] {
  const passes: Stretch[][] = [];
  let pass: Stretch[] = [];
  let n = 0;
  for (const f of files) {
    let from = 0;
    do {
      const left = f.items - from;
      if (pass.length && left > limit - n && (!split || n >= limit)) {
        passes.push(pass);
        pass = [];
        n = 0;
      }
      const to = from + (split ? Math.min(left, limit - n) : left);
      // a file gathered whole takes all its items the manifest lists now (it may have changed since)
      pass.push({ path: f.path, from, to: split ? to : Infinity, last: to === f.items });
      n += to - from;
      from = to;
    } while (from < f.items);
  }
  if (pass.length) passes.push(pass);
  return passes;
}

/**
 * The items of `files`, gathered a pass at a time: each pass reads the manifest's item entries
 * again (`items`), `entry` giving each one's file and the value kept of it (undefined for an
 * entry the chains skipped, so that places match theirs). A pass is yielded before the next is
 * read, so at most `limit` values (or one file's, without `split`) are held at once.
 */
export async function* gatherItems<I, T>(
  files: readonly ToGather[],
  items: () => AsyncIterable<I>,
  entry: (i: I) => { path: string; value: T } | undefined,
  opts: { limit: number; split: boolean },
): AsyncGenerator<Gathered<T>[]> {
  for (const pass of plan(files, Math.max(1, opts.limit), opts.split)) {
    // a file has at most one stretch in a pass: any stretch but its last fills its pass
    const byPath = new Map<string, { to: number; g: Gathered<T> }>();
    for (const { path, from, to, last } of pass)
      byPath.set(path, { to, g: { path, from, values: [], last, count: 0 } });
    for await (const i of items()) {
      const e = entry(i);
      const at = e && byPath.get(e.path);
      if (!e || !at) continue;
      const n = at.g.count++;
      if (n >= at.g.from && n < at.to) at.g.values.push(e.value);
    }
    yield [...byPath.values()].map((at) => at.g);
  }
}
