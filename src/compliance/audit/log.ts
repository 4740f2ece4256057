/**
 * The audit log: who did what, to what, when, from where (SEC 17a-4(f), FINRA 3110 evidence of
 * review). Each event's hash covers the previous event's hash, so changing, inserting or
 * deleting an event in the middle breaks the chain at that point and `verifyAudit` names it.
 *
 * Detail must never hold a secret's value: callers pass secret names ("connector.x.archiveSecret"
 * was changed), never what was typed. appendAudit refuses the obvious key names as a backstop.
 */
import { sql, type Selectable } from 'kysely';
import { ArchiverError } from '../../core/errors.js';
import type { AuditEvent, AuditListedEvent, AuditPage } from './types.js';
import type { Db } from '../../store/db.js';
import { CHAIN_GENESIS, canonicalJson, chainHash } from '../../store/hash-chain.js';
import type { AuditEventTable } from '../../store/schema.js';
import type { AuditAction } from './actions.js';

/** The `prev_hash` of the first event. */
export const AUDIT_GENESIS = CHAIN_GENESIS;
export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 500;

export interface AuditInput {
  /** the username, or 'system' for the server's own actions */
  actor: string;
  /** dotted, area first ('user.create', 'item.view'): one of the registry in actions.ts */
  action: AuditAction;
  /** what was acted on: a username, connector id, item key */
  target: string;
  /** names and counts, never secret values */
  detail?: Record<string, unknown>;
  ip?: string;
}

export interface AuditFilter {
  actor?: string;
  /** exact, or a prefix when it ends with '.*' ('connector.*') */
  action?: string;
  /** inclusive, ms */
  from?: number;
  /** exclusive, ms */
  to?: number;
  /** the `next` of the previous page */
  before?: string;
  limit?: number;
}

export { canonicalJson };

/** The hash of one event: what verifyAudit recomputes. */
export function auditHash(
  prevHash: string,
  e: { at: number; actor: string; action: string; target: string; detail: unknown; ip: string },
): string {
  return chainHash(prevHash, [e.at, e.actor, e.action, e.target, e.detail, e.ip]);
}

const SECRET_KEYS = new Set(['password', 'secret', 'token', 'csrftoken', 'privatekey', 'pem', 'apikey']);

function findSecretKey(value: unknown, path: string): string | null {
  if (value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEYS.has(k.toLowerCase()) && typeof v === 'string') return `${path}.${k}`;
    const inner = findSecretKey(v, `${path}.${k}`);
    if (inner) return inner;
  }
  return null;
}

export function toAuditEvent(row: Selectable<AuditEventTable>): AuditEvent {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    detail: JSON.parse(row.detail_json) as Record<string, unknown>,
    ip: row.ip,
  };
}

/**
 * Appends one event. The row is inserted first and its hash filled in afterwards, in one
 * transaction: the insert takes SQLite's write lock before the previous hash is read, so
 * neither another connection of this process nor another process can append in between and
 * fork the chain. (A PostgreSQL dialect must take an advisory lock first instead.)
 */
export async function appendAudit(db: Db, e: AuditInput, now: number): Promise<AuditEvent> {
  // A round trip through JSON drops undefined and turns Dates into strings, exactly as the
  // stored text will read back, so that verification recomputes the same hash.
  const detail = JSON.parse(JSON.stringify(e.detail ?? {})) as Record<string, unknown>;
  const leak = findSecretKey(detail, 'detail');
  if (leak) {
    throw new ArchiverError('WXA_INTERNAL', `audit event ${e.action}: ${leak} looks like a secret value; log its name`);
  }
  const ip = e.ip ?? '';
  const fields = { at: now, actor: e.actor, action: e.action, target: e.target, detail, ip };
  const append = async (tx: Db): Promise<AuditEvent> => {
    const { id } = await tx
      .insertInto('audit_events')
      .values({
        at: now,
        actor: e.actor,
        action: e.action,
        target: e.target,
        detail_json: canonicalJson(detail),
        ip,
        // placeholders, filled below once the write lock is held
        prev_hash: '',
        hash: '',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const prev = await tx
      .selectFrom('audit_events')
      .select('hash')
      .where('id', '<', id)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const prevHash = prev?.hash ?? AUDIT_GENESIS;
    const hash = auditHash(prevHash, fields);
    await tx.updateTable('audit_events').set({ prev_hash: prevHash, hash }).where('id', '=', id).execute();
    return { id, ...fields };
  };
  // Inside a caller's transaction the event commits, or rolls back, with the change it records.
  return db.isTransaction ? append(db) : db.transaction().execute(append);
}

function parseBefore(before: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(before)) {
    throw new ArchiverError('WXA_INPUT_INVALID', `before: "${before}" is not a page token from an earlier page`);
  }
  return Number(before);
}

/** Events newest first, filtered, one page at a time (keyset on id: stable while events are added). */
export async function listAudit(db: Db, f: AuditFilter): Promise<Omit<AuditPage, 'cases'>> {
  const limit = Math.min(Math.max(Math.trunc(f.limit ?? AUDIT_PAGE_DEFAULT), 1), AUDIT_PAGE_MAX);
  let q = db.selectFrom('audit_events').selectAll();
  if (f.actor !== undefined && f.actor !== '') q = q.where('actor', '=', f.actor);
  if (f.action !== undefined && f.action !== '') {
    if (f.action.endsWith('.*')) {
      const prefix = f.action.slice(0, -1);
      // substr, not LIKE: '_' and '%' in a prefix are not wildcards; counted in characters.
      q = q.where(sql`substr(action, 1, ${[...prefix].length})`, '=', prefix);
    } else {
      q = q.where('action', '=', f.action);
    }
  }
  if (f.from !== undefined) q = q.where('at', '>=', f.from);
  if (f.to !== undefined) q = q.where('at', '<', f.to);
  if (f.before !== undefined && f.before !== '') q = q.where('id', '<', parseBefore(f.before));
  const rows = await q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const events: AuditListedEvent[] = page.map((r) => ({ ...toAuditEvent(r), prevHash: r.prev_hash, hash: r.hash }));
  return { events, next: rows.length > limit && last ? String(last.id) : null };
}
