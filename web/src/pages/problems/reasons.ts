/**
 * The problems page's view of each hold reason: the order operators read them in (the ones they
 * can fix themselves first) and the catalogue keys of its title, explanation and advice. The
 * server sends English advice too; the console shows its own, translated and more specific.
 */
import type { ProblemExample, ProblemGroup, ProblemReason } from '../../../../src/server/contract.js';
import { tk } from '../../i18n-keys.js';

export interface ReasonText {
  title: string;
  explanation: string;
  advice: string;
}

/** Every reason the server can report, each with its catalogue keys. */
export const REASON_TEXT: Record<ProblemReason, ReasonText> = {
  unmapped: {
    title: tk('problems:reasons.unmapped.title'),
    explanation: tk('problems:reasons.unmapped.explanation'),
    advice: tk('problems:reasons.unmapped.advice'),
  },
  'key-missing': {
    title: tk('problems:reasons.key-missing.title'),
    explanation: tk('problems:reasons.key-missing.explanation'),
    advice: tk('problems:reasons.key-missing.advice'),
  },
  'destination-refused': {
    title: tk('problems:reasons.destination-refused.title'),
    explanation: tk('problems:reasons.destination-refused.explanation'),
    advice: tk('problems:reasons.destination-refused.advice'),
  },
  'media-expired': {
    title: tk('problems:reasons.media-expired.title'),
    explanation: tk('problems:reasons.media-expired.explanation'),
    advice: tk('problems:reasons.media-expired.advice'),
  },
  'render-failed': {
    title: tk('problems:reasons.render-failed.title'),
    explanation: tk('problems:reasons.render-failed.explanation'),
    advice: tk('problems:reasons.render-failed.advice'),
  },
  'conflicting-duplicate': {
    title: tk('problems:reasons.conflicting-duplicate.title'),
    explanation: tk('problems:reasons.conflicting-duplicate.explanation'),
    advice: tk('problems:reasons.conflicting-duplicate.advice'),
  },
  malformed: {
    title: tk('problems:reasons.malformed.title'),
    explanation: tk('problems:reasons.malformed.explanation'),
    advice: tk('problems:reasons.malformed.advice'),
  },
  'unknown-type': {
    title: tk('problems:reasons.unknown-type.title'),
    explanation: tk('problems:reasons.unknown-type.explanation'),
    advice: tk('problems:reasons.unknown-type.advice'),
  },
};

/** Display order: the reasons an operator fixes in the console come before those that need an upgrade. */
export const REASON_ORDER = Object.keys(REASON_TEXT) as ProblemReason[];

export interface ReasonExample extends ProblemExample {
  connectorId: string;
}

/** One card of the page: a reason with its groups from every connector that has it. */
export interface MergedGroup {
  reason: ProblemReason;
  count: number;
  /** the connectors' groups, each acted on with its own connectorId */
  parts: ProblemGroup[];
  /** the action the button performs; 'none' when no part can be released */
  action: ProblemGroup['action'];
  examples: ReasonExample[];
}

/**
 * Groups arrive one per (connector, reason); the page shows one card per reason (operators fix
 * a cause once, whichever connector met it), in display order, newest examples first.
 */
export function mergeGroups(groups: readonly ProblemGroup[], maxExamples = 5): MergedGroup[] {
  const byReason = new Map<ProblemReason, ProblemGroup[]>();
  for (const g of groups) byReason.set(g.reason, [...(byReason.get(g.reason) ?? []), g]);
  const rank = (r: ProblemReason) => {
    const i = REASON_ORDER.indexOf(r);
    return i < 0 ? REASON_ORDER.length : i;
  };
  return [...byReason.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([reason, parts]) => ({
      reason,
      count: parts.reduce((n, p) => n + p.count, 0),
      parts,
      action: parts.find((p) => p.action !== 'none')?.action ?? 'none',
      examples: parts
        .flatMap((p) => p.examples.map((e) => ({ ...e, connectorId: p.connectorId })))
        .sort((a, b) => b.at - a.at)
        .slice(0, maxExamples),
    }));
}
