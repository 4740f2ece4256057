/**
 * The audit log for an auditor's own tools: every event in chain order with its `prev_hash`
 * and `hash`, as CSV (RFC 4180, opens in a spreadsheet) or JSON, so that the chain can be
 * recomputed outside this software: hash = SHA-256(prev_hash + "\n" + canonical JSON of
 * [at, actor, action, target, detail, ip]).
 */
import { auditRowsAfter } from '../../store/audit-log.js';
import type { Db } from '../../store/db.js';

const PAGE = 1000;

export interface ExportedAuditEvent {
  id: number;
  /** ISO 8601 */
  time: string;
  /** ms since epoch, as hashed */
  at: number;
  actor: string;
  action: string;
  target: string;
  /** canonical JSON, as hashed */
  detail: string;
  ip: string;
  prevHash: string;
  hash: string;
}

/** Events in id order, page by page, at or after `sinceAt`. */
export async function* auditEventsInOrder(db: Db, sinceAt = 0): AsyncGenerator<ExportedAuditEvent> {
  let after = 0;
  for (;;) {
    const rows = await auditRowsAfter(db, after, PAGE, sinceAt);
    for (const r of rows) {
      yield {
        id: r.id,
        time: new Date(r.at).toISOString(),
        at: r.at,
        actor: r.actor,
        action: r.action,
        target: r.target,
        detail: r.detail_json,
        ip: r.ip,
        prevHash: r.prev_hash,
        hash: r.hash,
      };
    }
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.id;
  }
}

const COLUMNS = ['id', 'time', 'at', 'actor', 'action', 'target', 'detail', 'ip', 'prev_hash', 'hash'] as const;

/**
 * RFC 4180 quoting. Values are exported exactly as hashed, never prefixed against spreadsheet
 * formulas: an auditor recomputing the chain from this file must get the same bytes.
 */
function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function auditCsvHeader(): string {
  return `${COLUMNS.join(',')}\r\n`;
}

export function auditCsvRow(e: ExportedAuditEvent): string {
  return `${[e.id, e.time, e.at, e.actor, e.action, e.target, e.detail, e.ip, e.prevHash, e.hash].map(csvField).join(',')}\r\n`;
}
