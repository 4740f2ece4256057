/**
 * Completeness against the source: WeCom numbers every message of a corp with a seq that
 * grows by one, so between two stored records of one connector every seq must be there, or
 * covered by a tombstone. Each gap is reported with its range.
 */
import { rawConnectors, seqFromKey, seqKeyBefore, seqKeysPage, type Db } from '../../store/index.js';
import type { Problems } from './problems.js';

const PAGE = 10_000;
/** Above this many missing seqs a gap is reported whole, without looking for tombstones inside it. */
const WALK_MAX = 10_000n;

export interface SeqGap {
  connectorId: string;
  /** first and last missing seq */
  from: string;
  to: string;
  count: number;
}

export async function verifySeq(
  db: Db,
  opts: { sinceAt: number; deletedRaw: Set<string> },
  problems: Problems,
): Promise<SeqGap[]> {
  const gaps: SeqGap[] = [];
  for (const connectorId of await rawConnectors(db)) {
    let prev: bigint | null = null;
    let after = '';
    if (opts.sinceAt > 0) {
      const before = await seqKeyBefore(db, connectorId, opts.sinceAt);
      if (before) {
        prev = BigInt(seqFromKey(before));
        after = before;
      }
    }
    for (;;) {
      const keys = await seqKeysPage(db, connectorId, after, PAGE);
      if (keys.length === 0) break;
      for (const key of keys) {
        const seq = BigInt(seqFromKey(key));
        if (prev !== null && seq > prev + 1n) {
          for (const g of missingRanges(connectorId, prev + 1n, seq - 1n, opts.deletedRaw)) gaps.push(g);
        }
        prev = seq;
      }
      after = keys[keys.length - 1]!;
    }
  }
  for (const g of gaps) {
    problems.add({
      kind: 'seq-gap',
      connectorId: g.connectorId,
      from: g.from,
      to: g.to,
      reason: `${g.count} record(s) between stored ones are missing and no tombstone covers them`,
    });
  }
  return gaps;
}

function missingRanges(connectorId: string, from: bigint, to: bigint, deleted: Set<string>): SeqGap[] {
  const key = (s: bigint) => `${connectorId}\n${s.toString().padStart(20, '0')}`;
  const gap = (a: bigint, b: bigint): SeqGap => ({
    connectorId,
    from: a.toString(),
    to: b.toString(),
    count: Number(b - a + 1n),
  });
  if (deleted.size === 0 || to - from + 1n > WALK_MAX) return [gap(from, to)];
  const out: SeqGap[] = [];
  let start: bigint | null = null;
  for (let s = from; s <= to; s++) {
    if (deleted.has(key(s))) {
      if (start !== null) out.push(gap(start, s - 1n));
      start = null;
    } else if (start === null) start = s;
  }
  if (start !== null) out.push(gap(start, to));
  return out;
}
