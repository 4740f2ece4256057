/**
 * Mail addresses for chat participants. A participant with a mapped mailbox gets that mailbox;
 * everyone else (external WeChat contacts, robots, employees not mapped yet) gets a stable
 * address under the reserved `.invalid` TLD (RFC 6761), so one person always has one address
 * and mail clients can group, search and sort by it, yet nothing can ever be sent there.
 */
import { createHash } from 'node:crypto';
import { ArchiverError } from '../core/errors.js';
import { personKindOf, type Person, type PersonKind } from '../core/model.js';
import { personOf, type RenderContext } from './context.js';

/** The reserved domain all generated ids live under. */
export const INVALID_DOMAIN = 'wechat-archiver.invalid';

const DOMAIN_OF: Record<PersonKind, string> = {
  /** an employee with no mailbox mapped (yet) */
  internal: `user.${INVALID_DOMAIN}`,
  /** a WeChat user or another corp's employee: never has a mailbox of ours */
  external: `external.${INVALID_DOMAIN}`,
  /** a group robot (`wb...`) */
  robot: `robot.${INVALID_DOMAIN}`,
};

/** RFC 5321 section 4.5.3.1.1: a local part has at most 64 octets. */
const MAX_LOCAL = 64;

/**
 * Generated addresses are pure functions of the id, and the pipeline renders the same
 * participants over and over: a bounded cache keeps the SHA-256 off the hot path.
 */
const cache = new Map<string, string>();
const CACHE_LIMIT = 10_000;

/**
 * A dot-atom local part (RFC 5322 section 3.4.1) for a participant id. External and robot ids
 * are case-sensitive (`wmAbC...`) but mail systems fold local-part case, so whenever
 * lowercasing or character replacement lost information a short hash of the exact id is
 * appended: `wmAbc` and `wmabc` never share an address. Employee userids are
 * case-insensitive in WeCom, so lowercasing them loses nothing.
 */
function localPart(id: string, caseSensitive: boolean): string {
  const lowered = id.toLowerCase();
  let safe = lowered
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '');
  const lossy = safe !== (caseSensitive ? id : lowered);
  if (!lossy && safe.length <= MAX_LOCAL) return safe;
  const tag = createHash('sha256').update(id).digest('hex').slice(0, 10);
  safe = safe.slice(0, MAX_LOCAL - tag.length - 1).replace(/[.-]+$/, '');
  return safe ? `${safe}-${tag}` : `id-${tag}`;
}

/** The stable non-routable address of a participant, by kind (from the id prefix when not given). */
export function addressFor(person: Pick<Person, 'id'> & { kind?: PersonKind }): string {
  const kind = person.kind ?? personKindOf(person.id);
  const cacheKey = `${kind}\u0000${person.id}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const address = `${localPart(person.id || 'unknown', kind !== 'internal')}@${DOMAIN_OF[kind]}`;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(cacheKey, address);
  return address;
}

/** An ASCII addr-spec without anything that would need quoting or break the header. */
const PLAIN_ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+$/;

/**
 * Validate a mapped mailbox before it goes into a header: a bad mapping must hold the item
 * with a reason rather than produce a header that a server rejects or misreads.
 */
export function checkMailbox(address: string, participant: string): string {
  if (!PLAIN_ADDRESS.test(address)) {
    throw new ArchiverError(
      'WXA_RENDER_FAILED',
      `participant ${participant} maps to "${address}", which is not a plain ASCII mail address; fix the mapping`,
    );
  }
  return address;
}

/**
 * The display name shown beside the address: `Name (mobile)`, with WeCom's own `Name@Corp`
 * convention for external contacts so a reviewer sees which company someone belongs to.
 */
export function displayName(person: Person): string {
  let name = person.name?.trim() || person.id || 'Unknown';
  if (person.kind === 'external' && person.corpName?.trim()) name += `@${person.corpName.trim()}`;
  const mobile = person.mobile?.trim();
  return mobile ? `${name} (${mobile})` : name;
}

/** A participant's display name and address: the mapped mailbox first, else the generated one. */
export function mailboxOf(ctx: RenderContext, id: string): { name: string; address: string } {
  const person = personOf(ctx, id);
  const mapped = ctx.addressOf?.(id);
  return { name: displayName(person), address: mapped ? checkMailbox(mapped, id) : addressFor(person) };
}

/** A participant as `Name (mobile) <address>`, the way the headers show them. */
export function personLabel(ctx: RenderContext, id: string): string {
  const m = mailboxOf(ctx, id);
  return `${m.name} <${m.address}>`;
}

/** A participant's display name alone, for mentions inside the content. */
export function nameOf(ctx: RenderContext, id: string): string {
  return displayName(personOf(ctx, id));
}

/** The name alone (no mobile, no company), for the subject line. */
export function shortName(ctx: RenderContext, id: string): string {
  return personOf(ctx, id).name?.trim() || id;
}
