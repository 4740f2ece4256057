/**
 * Deliveries that need an operator's eye without being failures: partial copies (attachments
 * left out, each with why) and deliveries paused by a mail service's limit until it clears.
 * Read by the report, `status` and the console's problems page.
 */
import type { Db } from './db.js';

export interface OmittedInfo {
  name: string;
  size: number;
  sha256: string;
  /** 'too-large' or 'blocked-type' */
  reason: string;
}

export interface PartialDelivery {
  connectorId: string;
  destinationId: string;
  itemKey: string;
  /** the source's message id */
  itemId: string;
  sourceUser: string;
  mailbox: string;
  attachments: OmittedInfo[];
  at: number;
}

function omittedOf(json: string | null): OmittedInfo[] {
  if (!json) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? (v as OmittedInfo[]) : [];
  } catch {
    return [];
  }
}

/** Partial deliveries, newest first. */
export async function listPartialDeliveries(
  db: Db,
  opts: { since?: number; connectorId?: string; limit?: number } = {},
): Promise<PartialDelivery[]> {
  let q = db
    .selectFrom('deliveries as d')
    .leftJoin('items as i', 'i.key', 'd.item_key')
    .select([
      'd.connector_id',
      'd.destination_id',
      'd.item_key',
      'd.mailbox',
      'd.omitted_json',
      'd.finished_at',
      'd.created_at',
      'i.msgid',
      'i.from_id',
    ])
    .where('d.status', '=', 'partial');
  if (opts.since !== undefined) q = q.where('d.created_at', '>=', opts.since);
  if (opts.connectorId) q = q.where('d.connector_id', '=', opts.connectorId);
  const rows = await q
    .orderBy('d.finished_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(opts.limit ?? 10_000)
    .execute();
  return rows.map((r) => ({
    connectorId: r.connector_id,
    destinationId: r.destination_id,
    itemKey: r.item_key,
    itemId: r.msgid ?? r.item_key,
    sourceUser: r.from_id ?? '',
    mailbox: r.mailbox,
    attachments: omittedOf(r.omitted_json),
    at: Number(r.finished_at ?? r.created_at),
  }));
}

export interface PausedDeliveries {
  connectorId: string;
  destinationId: string;
  /** the mailbox that waits, or undefined when the whole destination waits */
  mailbox: string | undefined;
  deliveries: number;
  until: number;
  detail: string;
}

/** Deliveries waiting out a service's limit now (paused, not failed), per destination and mailbox. */
export async function listPausedDeliveries(db: Db, now: number, connectorId?: string): Promise<PausedDeliveries[]> {
  let q = db
    .selectFrom('deliveries')
    .select((eb) => [
      'connector_id',
      'destination_id',
      'mailbox',
      'error_code',
      eb.fn.countAll<number>().as('n'),
      eb.fn.max('next_attempt_at').as('until'),
      eb.fn.max('error_detail').as('detail'),
    ])
    .where('status', '=', 'pending')
    .where('error_code', 'in', ['WXA_DEST_PAUSED_MAILBOX', 'WXA_DEST_PAUSED_DESTINATION'])
    .where('next_attempt_at', '>', now);
  if (connectorId) q = q.where('connector_id', '=', connectorId);
  const rows = await q.groupBy(['connector_id', 'destination_id', 'mailbox', 'error_code']).execute();
  const out = new Map<string, PausedDeliveries>();
  for (const r of rows) {
    const whole = r.error_code === 'WXA_DEST_PAUSED_DESTINATION';
    const key = `${r.connector_id}|${r.destination_id}|${whole ? '' : r.mailbox}`;
    const prev = out.get(key);
    out.set(key, {
      connectorId: r.connector_id,
      destinationId: r.destination_id,
      mailbox: whole ? undefined : r.mailbox,
      deliveries: (prev?.deliveries ?? 0) + Number(r.n),
      until: Math.max(prev?.until ?? 0, Number(r.until)),
      detail: prev?.detail ?? r.detail ?? '',
    });
  }
  return [...out.values()];
}
