/**
 * What `verify-export --archive` asks of the archive that made an export: the audit events of
 * that export (which record its manifest's SHA-256) and the archived MIME hashes of its items.
 */
import type { Db } from './db.js';

export interface ExportAuditEvent {
  id: number;
  at: number;
  actor: string;
  detailJson: string;
}

/** The `export` audit events whose detail names this export id, oldest first. */
export async function exportAuditEvents(db: Db, exportId: string): Promise<ExportAuditEvent[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['id', 'at', 'actor', 'detail_json'])
    .where('action', '=', 'export')
    // narrowed here, decided by the caller from the parsed detail
    .where('detail_json', 'like', `%${exportId}%`)
    .orderBy('id', 'asc')
    .execute();
  return rows.map((r) => ({ id: Number(r.id), at: Number(r.at), actor: r.actor, detailJson: r.detail_json }));
}

/** The archived MIME's SHA-256 of each of these items that the archive still holds. */
export async function itemMimeHashes(db: Db, keys: readonly string[]): Promise<Map<string, string>> {
  if (!keys.length) return new Map();
  const rows = await db.selectFrom('items').select(['key', 'mime_sha256']).where('key', 'in', keys).execute();
  return new Map(rows.map((r) => [r.key, r.mime_sha256]));
}
