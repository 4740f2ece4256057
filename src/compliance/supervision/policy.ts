/**
 * A supervision policy's conditions, how they are checked when a policy is saved, and their
 * compiled form the pipeline evaluates per item. An item in a policy's scope is flagged when
 * any condition holds (a lexicon term in its text, one of the listed message types, an
 * external participant, an attachment of a listed type); of the rest, a fixed share is
 * sampled for review, decided per item by a hash so that the same item is always sampled.
 */
import { ArchiverError } from '../../core/errors.js';
import { aliasKey } from '../search/aliases.js';
import { compilePhrases, type PhraseSet } from '../search/index.js';
import { parseLexicon } from './lexicon.js';

export interface PolicyConditions {
  terms: string[];
  /** message types that always flag, e.g. `redpacket` */
  msgtypes: string[];
  /** flag every message with an external contact among its participants */
  external: boolean;
  /** file extensions (lower case, no dot) whose attachments flag a message */
  attachmentTypes: string[];
  /** person ids or mailboxes whose messages (sent or received) are in scope; null: everyone */
  supervised: string[] | null;
  /** share of the in-scope items without a hit that is sampled, in 1/100 of a percent (0-10000) */
  sampleBasisPoints: number;
}

export interface PolicyInput {
  name: string;
  lexicon?: string;
  lexiconSource?: string;
  terms?: string[];
  msgtypes?: string[];
  external?: boolean;
  attachmentTypes?: string[];
  supervised?: string[] | null;
  samplePercent?: number;
  reviewers?: string[];
}

function invalid(field: string, what: string): ArchiverError {
  return new ArchiverError('WXA_SUPERVISION_POLICY_INVALID', `${field}: ${what}`, { details: { field } });
}

/** A reviewer is named as they sign in to the console: an email address or a username. */
const REVIEWER = /^[^\s,]{1,200}$/;

/** Checks and normalises what a policy is made of. */
export function conditionsOf(input: PolicyInput): PolicyConditions {
  const terms =
    input.lexicon !== undefined
      ? parseLexicon(input.lexicon, input.lexiconSource ?? 'lexicon')
      : parseLexicon((input.terms ?? []).join('\n'), input.lexiconSource ?? 'terms');
  const pct = input.samplePercent ?? 0;
  if (!Number.isFinite(pct) || pct < 0 || pct > 100)
    throw invalid('sample', `a percentage from 0 to 100 (two decimals at most), not ${String(input.samplePercent)}`);
  const msgtypes = [...new Set((input.msgtypes ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))];
  const attachmentTypes = [
    ...new Set((input.attachmentTypes ?? []).map((t) => t.trim().toLowerCase().replace(/^\./, '')).filter(Boolean)),
  ];
  const external = input.external ?? false;
  const supervised = input.supervised ? [...new Set(input.supervised.map(aliasKey).filter(Boolean))] : null;
  const c: PolicyConditions = {
    terms,
    msgtypes,
    external,
    attachmentTypes,
    supervised: supervised && supervised.length > 0 ? supervised : null,
    sampleBasisPoints: Math.round(pct * 100),
  };
  if (terms.length === 0 && msgtypes.length === 0 && !external && attachmentTypes.length === 0 && pct === 0)
    throw invalid(
      'lexicon',
      'the policy has no condition: give lexicon terms, message types, external, attachment types or a sample',
    );
  return c;
}

export function reviewersOf(list: readonly string[] | undefined): string[] {
  const out = [...new Set((list ?? []).map((r) => r.trim().toLowerCase()).filter(Boolean))];
  for (const r of out)
    if (!REVIEWER.test(r)) throw invalid('reviewer', `"${r}" is not a console username or email address`);
  return out;
}

/** A policy ready to be evaluated against items. */
export interface CompiledPolicy {
  id: number;
  version: number;
  conditions: PolicyConditions;
  phrases: PhraseSet;
  msgtypes: Set<string>;
  attachmentTypes: Set<string>;
  supervised: Set<string> | null;
}

export function compilePolicy(id: number, version: number, conditions: PolicyConditions): CompiledPolicy {
  return {
    id,
    version,
    conditions,
    phrases: compilePhrases(conditions.terms),
    msgtypes: new Set(conditions.msgtypes),
    attachmentTypes: new Set(conditions.attachmentTypes),
    supervised: conditions.supervised ? new Set(conditions.supervised) : null,
  };
}
