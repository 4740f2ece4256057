/**
 * How people, mailboxes and conversations are matched by filters (from:, to:, participant:,
 * mailbox:, conversation:): the indexed value and the query value both go through aliasKey,
 * so case, full-width forms and the punctuation of a phone number never matter.
 */
import { normalizeText } from './tokenize.js';

const PHONE = /^\+?[\d\s\-().]{5,}$/;

/** The normalised form a filter value is compared by. */
export function aliasKey(value: string): string {
  const n = normalizeText(value).trim();
  return PHONE.test(n) ? n.replace(/\D/g, '') : n;
}

/** A mobile is found by its international digits and, for +86 numbers, the national ones. */
export function mobileKeys(mobile: string): string[] {
  const d = aliasKey(mobile);
  const out = [d];
  if (/^86\d{11}$/.test(d)) out.push(d.slice(2));
  return out;
}
