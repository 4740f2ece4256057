/**
 * A sane check of a mailbox address typed into a mapping (one @, a dotted domain, no spaces)
 * with a reason a person can act on. Full RFC 5322 syntax (quoted local parts, comments, IP
 * literals) is deliberately refused: no real mailbox of an organisation uses it, and an
 * address that passes here must be accepted by Exchange, Gmail and IMAP servers alike.
 */
import type { MappingProblemCode, MappingProblemParams, ValueFailure } from './types.js';

export type MailboxProblemCode = Extract<MappingProblemCode, `mailbox-${string}`>;

export type MailboxResult = { ok: true; address: string } | ValueFailure<MailboxProblemCode>;

/** RFC 5321 limits: 254 for a whole path's address (256 less the < >), 64 for the local part. */
const MAX_ADDRESS = 254;
const MAX_LOCAL_PART = 64;

/** Characters RFC 5322 allows in a dot-atom local part, plus any non-ASCII letter (RFC 6531). */
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]+$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;
const INVISIBLE = /[\p{Cf}]/gu;

/**
 * Check a mailbox address and return it lower-cased. The whole address is lower-cased, not
 * only the domain: RFC 5321 lets a server treat the local part as case-sensitive, but
 * Exchange, Gmail and common IMAP servers do not, and two spellings of one mailbox would
 * otherwise become two deliveries.
 */
export function checkMailbox(input: string): MailboxResult {
  const shown = input.trim();
  const text = input.normalize('NFKC').replace(INVISIBLE, '').trim();
  const bad = (why: string, code: MailboxProblemCode, params: MappingProblemParams = {}): MailboxResult => ({
    ok: false,
    reason: `"${shown}" is not a valid e-mail address (${why})`,
    code,
    params: { value: shown, ...params },
  });
  if (text === '') return { ok: false, reason: 'the mailbox is empty', code: 'mailbox-empty', params: {} };
  if (/<[^>]*@[^>]*>/.test(text)) {
    return bad('write only the address, without a name or < >', 'mailbox-display-name');
  }
  if (/^mailto:/i.test(text)) return bad('remove the "mailto:"', 'mailbox-mailto');
  if (/\s/.test(text)) return bad('it contains a space', 'mailbox-space');
  const at = text.split('@');
  if (at.length === 1) return bad('it has no @', 'mailbox-no-at');
  if (at.length > 2) return bad('it has more than one @', 'mailbox-many-at');
  const [local = '', domain = ''] = at;
  if (local === '') return bad('nothing before the @', 'mailbox-no-local-part');
  if (domain === '') return bad('nothing after the @', 'mailbox-no-domain');
  if (text.length > MAX_ADDRESS) {
    return bad(`longer than ${MAX_ADDRESS} characters`, 'mailbox-too-long', { max: MAX_ADDRESS });
  }
  if (local.length > MAX_LOCAL_PART) {
    return bad(`the part before the @ is longer than ${MAX_LOCAL_PART} characters`, 'mailbox-local-part-too-long', {
      max: MAX_LOCAL_PART,
    });
  }
  if (!LOCAL_PART.test(local)) {
    const char = firstBadChar(local);
    const what = char === undefined ? 'a character not allowed there' : `"${char}"`;
    return bad(`the part before the @ contains ${what}`, 'mailbox-local-part-bad-char', { char: char ?? '' });
  }
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return bad('the part before the @ has a misplaced dot', 'mailbox-local-part-dot');
  }
  const labels = domain.split('.');
  if (labels.length < 2) return bad(`the domain "${domain}" has no dot`, 'mailbox-domain-no-dot', { domain });
  if (!labels.every((l) => DOMAIN_LABEL.test(l)) || /^\d+$/.test(labels[labels.length - 1] ?? '')) {
    return bad(`"${domain}" is not a domain name`, 'mailbox-domain-invalid', { domain });
  }
  return { ok: true, address: text.toLowerCase() };
}

function firstBadChar(local: string): string | undefined {
  for (const ch of local) if (!LOCAL_PART.test(ch)) return ch;
  return undefined;
}
