/**
 * Evaluates every mailbox entry old enough to matter against the enabled policies, a page at a
 * time: which policies cover it (scope), when each lets it go (period), what the conflict rules
 * decide, and finally whether a hold keeps it. Used by the dry run and by disposition alike, so
 * what the dry run lists is exactly what a run would do at the same moment.
 */
import type { Db } from '../../store/db.js';
import { expiredCandidates, type CandidateEntry } from '../../store/disposition.js';
import { decide, type Covering, type Decision } from './decide.js';
import { factsOf } from './facts.js';
import { cutoffFor, expiresAt, type RetentionPolicy } from './policy.js';
import { inScope } from './scope.js';

/** Asks the holds which of these entries are held; returns their `entryKey`s. */
export type HeldCheck = (entries: { itemKey: string; mailbox: string }[]) => Promise<Set<string>>;

export interface Evaluated {
  entry: CandidateEntry;
  decision: Decision;
}

/** Entries read (and deleted) per page: one deletion transaction each. */
export const DISPOSITION_PAGE = 1000;

/** Decides one entry without holds (the caller asks the holds only for what would go). */
export function coveringOf(policies: readonly RetentionPolicy[], entry: CandidateEntry): Covering[] {
  const facts = factsOf(entry);
  return policies
    .filter((p) => p.enabled && inScope(p.scope, facts))
    .map((p) => ({ policyId: p.id, action: p.action, expiresAt: expiresAt(entry.msgTime, p.period) }));
}

/**
 * Yields, page by page, the entries that would go (delete or review) or that a hold keeps.
 * Entries still retained or without a policy are counted, not yielded.
 */
export async function* evaluatePages(
  db: Db,
  policies: readonly RetentionPolicy[],
  held: HeldCheck,
  heldKey: (e: { itemKey: string; mailbox: string }) => string,
  now: number,
  counts: { scanned: number; retained: number },
  pageSize = DISPOSITION_PAGE,
): AsyncGenerator<Evaluated[]> {
  const enabled = policies.filter((p) => p.enabled);
  if (enabled.length === 0) return;
  // No entry newer than the shortest period's cutoff can have expired under any policy.
  const before = Math.max(...enabled.map((p) => cutoffFor(now, p.period)));
  let after = 0;
  for (;;) {
    const page = await expiredCandidates(db, before, after, pageSize);
    if (page.length === 0) return;
    after = page[page.length - 1]!.entryId;
    counts.scanned += page.length;
    const going: Evaluated[] = [];
    for (const entry of page) {
      const d = decide(false, coveringOf(enabled, entry), now);
      if (d.kind === 'delete' || d.kind === 'review') going.push({ entry, decision: d });
      else if (d.kind === 'retained') counts.retained++;
    }
    if (going.length === 0) continue;
    const heldSet = await held(going.map((g) => ({ itemKey: g.entry.itemKey, mailbox: g.entry.mailbox })));
    yield going.map((g) =>
      heldSet.has(heldKey({ itemKey: g.entry.itemKey, mailbox: g.entry.mailbox }))
        ? { entry: g.entry, decision: { kind: 'held' } }
        : g,
    );
  }
}
