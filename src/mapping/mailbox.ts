/**
 * A sane check of a mailbox address typed into a mapping (one @, a dotted domain, no spaces)
 * with a reason a person can act on. Full RFC 5322 syntax (quoted local parts, comments, IP
 * literals) is deliberately refused: no real mailbox of an organisation uses it, and an
 * address that passes here must be accepted by Exchange, Gmail and IMAP servers alike.
 */

export type MailboxResult = { ok: true; address: string } | { ok: false; reason: string };

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
  const bad = (why: string): MailboxResult => ({
    ok: false,
    reason: `"${shown}" is not a valid e-mail address (${why})`,
  });
  if (text === '') return { ok: false, reason: 'the mailbox is empty' };
  if (/<[^>]*@[^>]*>/.test(text)) return bad('write only the address, without a name or < >');
  if (/^mailto:/i.test(text)) return bad('remove the "mailto:"');
  if (/\s/.test(text)) return bad('it contains a space');
  const at = text.split('@');
  if (at.length === 1) return bad('it has no @');
  if (at.length > 2) return bad('it has more than one @');
  const [local = '', domain = ''] = at;
  if (local === '') return bad('nothing before the @');
  if (domain === '') return bad('nothing after the @');
  if (text.length > 254) return bad('longer than 254 characters');
  if (local.length > 64) return bad('the part before the @ is longer than 64 characters');
  if (!LOCAL_PART.test(local)) return bad(`the part before the @ contains ${firstBadChar(local)}`);
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return bad('the part before the @ has a misplaced dot');
  }
  const labels = domain.split('.');
  if (labels.length < 2) return bad(`the domain "${domain}" has no dot`);
  if (!labels.every((l) => DOMAIN_LABEL.test(l)) || /^\d+$/.test(labels[labels.length - 1] ?? '')) {
    return bad(`"${domain}" is not a domain name`);
  }
  return { ok: true, address: text.toLowerCase() };
}

function firstBadChar(local: string): string {
  for (const ch of local) if (!LOCAL_PART.test(ch)) return `"${ch}"`;
  return 'a character not allowed there';
}
