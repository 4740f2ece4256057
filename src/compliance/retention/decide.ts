/**
 * The conflict rules, as Microsoft Purview applies them, in one pure function: any hold beats
 * every policy; retention beats deletion (an entry is kept until the longest period of every
 * policy covering it has ended); at that end, review beats delete (a reviewer must approve).
 * No policy means keep forever. Property-tested in decide.test.ts.
 */
import type { RetentionAction } from './policy.js';

export interface Covering {
  policyId: string;
  action: RetentionAction;
  /** when this policy's period ends for the entry (ms) */
  expiresAt: number;
}

export type Decision =
  /** a legal hold covers the entry: nothing happens to it */
  | { kind: 'held' }
  /** no enabled policy covers it: kept forever */
  | { kind: 'no-policy' }
  /** some policy's period has not ended */
  | { kind: 'retained'; until: number }
  /** expired under every covering policy; the deciding policy deletes */
  | { kind: 'delete'; policyId: string }
  /** expired; the deciding policy wants a reviewer's approval first */
  | { kind: 'review'; policyId: string };

export function decide(held: boolean, covering: readonly Covering[], now: number): Decision {
  if (held) return { kind: 'held' };
  if (covering.length === 0) return { kind: 'no-policy' };
  const until = Math.max(...covering.map((c) => c.expiresAt));
  if (now < until) return { kind: 'retained', until };
  // The policies whose period ends last decide; among them review wins, then the smallest id
  // so that the choice does not depend on the order the policies were read in.
  const last = covering.filter((c) => c.expiresAt === until);
  const review = last.filter((c) => c.action === 'review');
  const pick = (cs: Covering[]) => cs.map((c) => c.policyId).sort()[0]!;
  if (review.length > 0) return { kind: 'review', policyId: pick(review) };
  return { kind: 'delete', policyId: pick(last) };
}
