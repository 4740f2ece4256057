/**
 * Completeness and lag of a connector: how far capture is behind (the source forgets after
 * 5 days), what is known to be missing (expired media, records waiting for a key, external
 * contacts who declined archiving), so the operator hears of a risk before data is lost.
 */
import { personKindOf } from '../core/model.js';
import type { Db } from './db.js';
import { seqFromKey } from './seq.js';

export const LAG_WARNING_MS = 24 * 3600_000;
export const LAG_ALARM_MS = 72 * 3600_000;
/** WeCom keeps archive data (and media) for 5 days. */
export const SOURCE_RETENTION_MS = 5 * 24 * 3600_000;

export interface ConsentGap {
  /** the external contact who declined */
  externalUserId: string;
  /** the employee whose conversations with them are not archived by the service */
  userid: string;
  since: number;
}

export interface SourceHealth {
  level: 'ok' | 'warning' | 'alarm';
  /** why the level is what it is */
  reasons: string[];
  lastSuccessfulRunAt: number | null;
  newestMessageTime: number | null;
  newestSeq: string | null;
  /** the source's newest seq when the source can tell it; then seqBehind = its distance */
  sourceHeadSeq: string | null;
  seqBehind: string | null;
  /** time since the last successful capture */
  captureLagMs: number | null;
  /** age of the oldest message still waiting to be processed (pending or failed) */
  oldestUnprocessedAgeMs: number | null;
  /** records held (in no mailbox until fixed), and the age of the oldest: it counts against the window */
  held: number;
  oldestHeldAgeMs: number | null;
  expiredMedia: number;
  keyMissing: number;
  consentGaps: ConsentGap[];
}

/**
 * agree/disagree events in time order. One query per type, each answered by the
 * (connector_id, msgtype, msg_time) index: with `IN` SQLite would rather walk the time index to
 * avoid a sort and read every item of the connector.
 */
async function consentEvents(db: Db, connectorId: string) {
  const byType = await Promise.all(
    (['agree', 'disagree'] as const).map((t) =>
      db
        .selectFrom('items')
        .select(['msgtype', 'model_json', 'msg_time', 'seq_key'])
        .where('connector_id', '=', connectorId)
        .where('msgtype', '=', t)
        .orderBy('msg_time')
        .orderBy('seq_key')
        .execute(),
    ),
  );
  return byType.flat().sort((a, b) => Number(a.msg_time) - Number(b.msg_time) || a.seq_key.localeCompare(b.seq_key));
}

/**
 * Consent events are only ever added, so the gaps they give are kept per database and
 * connector and computed again only when the number of events changes (two index counts),
 * not parsed from every event on each page load of the connectors tab.
 */
const consentCache = new WeakMap<Db, Map<string, { key: string; gaps: ConsentGap[] }>>();

async function consentGapsOf(db: Db, connectorId: string): Promise<ConsentGap[]> {
  const counts = await Promise.all(
    (['agree', 'disagree'] as const).map((t) =>
      db
        .selectFrom('items')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('connector_id', '=', connectorId)
        .where('msgtype', '=', t)
        .executeTakeFirstOrThrow(),
    ),
  );
  const key = counts.map((c) => Number(c.n)).join(':');
  let perDb = consentCache.get(db);
  if (!perDb) consentCache.set(db, (perDb = new Map()));
  const hit = perDb.get(connectorId);
  if (hit?.key === key) return hit.gaps;
  const gaps = consentGapsFrom(await consentEvents(db, connectorId));
  perDb.set(connectorId, { key, gaps });
  return gaps;
}

/** The latest consent event per (employee, external contact) decides whether a gap is open. */
function consentGapsFrom(events: { msgtype: string; model_json: string; msg_time: number }[]): ConsentGap[] {
  const consent = new Map<string, ConsentGap | null>();
  for (const g of events) {
    // The payload's userid is the external contact who (dis)agreed; the employee is the other side.
    const m = JSON.parse(g.model_json) as { from: string; tolist: string[]; content: { userid?: string } };
    const external = m.content.userid || m.from;
    const userid = [m.from, ...m.tolist].find((id) => id !== external && personKindOf(id) === 'internal') ?? '';
    const key = `${userid}|${external}`;
    consent.set(key, g.msgtype === 'disagree' ? { externalUserId: external, userid, since: Number(g.msg_time) } : null);
  }
  return [...consent.values()].filter((g): g is ConsentGap => g !== null);
}

export async function sourceHealth(
  db: Db,
  connectorId: string,
  now: number,
  sourceHeadSeq?: string,
): Promise<SourceHealth> {
  const [lastRun, newest, newestSeq, oldestPending, heldRow, expired, keyMissing, gaps] = await Promise.all([
    db
      .selectFrom('runs')
      .select((eb) => eb.fn.max('finished_at').as('t'))
      .where('connector_id', '=', connectorId)
      .where('status', '=', 'succeeded')
      .executeTakeFirst(),
    db
      .selectFrom('items')
      .select((eb) => eb.fn.max('msg_time').as('t'))
      .where('connector_id', '=', connectorId)
      .executeTakeFirst(),
    db
      .selectFrom('raw_records')
      .select((eb) => eb.fn.max('seq_key').as('s'))
      .where('connector_id', '=', connectorId)
      .executeTakeFirst(),
    db
      .selectFrom('raw_records')
      .select((eb) => eb.fn.min('captured_at').as('t'))
      .where('connector_id', '=', connectorId)
      .where('status', 'in', ['pending', 'failed'])
      .executeTakeFirst(),
    // A conflicting duplicate waits for a person's decision with both versions stored: nothing
    // the source could still delete, so it does not count as lag (the problems page lists it).
    db
      .selectFrom('raw_records')
      .select((eb) => [eb.fn.min('captured_at').as('t'), eb.fn.countAll<number>().as('n')])
      .where('connector_id', '=', connectorId)
      .where('status', '=', 'held')
      .where('hold_reason', '<>', 'conflicting-duplicate')
      .executeTakeFirst(),
    db
      .selectFrom('media')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('connector_id', '=', connectorId)
      .where('status', '=', 'expired')
      .executeTakeFirst(),
    db
      .selectFrom('raw_records')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('connector_id', '=', connectorId)
      .where('status', '=', 'held')
      .where('hold_reason', '=', 'key-missing')
      .executeTakeFirst(),
    consentGapsOf(db, connectorId),
  ]);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const lastSuccessfulRunAt = num(lastRun?.t);
  const newestMessageTime = num(newest?.t);
  const newestSeqKey = (newestSeq?.s as string | null | undefined) ?? null;
  const oldest = num(oldestPending?.t);
  const captureLagMs = lastSuccessfulRunAt === null ? null : now - lastSuccessfulRunAt;
  const oldestUnprocessedAgeMs = oldest === null ? null : now - oldest;
  const held = Number(heldRow?.n ?? 0);
  const oldestHeld = num(heldRow?.t);
  const oldestHeldAgeMs = held === 0 || oldestHeld === null ? null : now - oldestHeld;

  const consentGaps = gaps;

  const reasons: string[] = [];
  let level: SourceHealth['level'] = 'ok';
  const worst = Math.max(captureLagMs ?? 0, oldestUnprocessedAgeMs ?? 0);
  if (worst >= LAG_ALARM_MS) {
    level = 'alarm';
    reasons.push(
      `capture is ${hours(worst)} h behind; the source deletes data after ${hours(SOURCE_RETENTION_MS)} h: fix the connector now`,
    );
  } else if (worst >= LAG_WARNING_MS) {
    level = 'warning';
    reasons.push(`capture is ${hours(worst)} h behind (alarm at ${hours(LAG_ALARM_MS)} h)`);
  }
  // A held record is in no mailbox: the connector is not on time while one waits, and one that
  // has waited near the source's retention is data at risk (its media, or a key, may be lost).
  if (oldestHeldAgeMs !== null) {
    const atRisk = oldestHeldAgeMs >= LAG_ALARM_MS;
    if (atRisk) level = 'alarm';
    else if (level === 'ok') level = 'warning';
    reasons.push(
      `${held} record(s) held, in no mailbox yet, the oldest for ${hours(oldestHeldAgeMs)} h` +
        (atRisk ? `; the source deletes data after ${hours(SOURCE_RETENTION_MS)} h: fix the holds now` : ''),
    );
  }
  if (Number(expired?.n ?? 0) > 0)
    reasons.push(`${Number(expired?.n)} media file(s) expired at the source before capture`);
  if (Number(keyMissing?.n ?? 0) > 0) reasons.push(`${Number(keyMissing?.n)} record(s) wait for a missing key version`);
  const newestSeqValue = newestSeqKey === null ? null : seqFromKey(newestSeqKey);
  const seqBehind =
    sourceHeadSeq && newestSeqValue !== null ? (BigInt(sourceHeadSeq) - BigInt(newestSeqValue)).toString() : null;
  return {
    level,
    reasons,
    lastSuccessfulRunAt,
    newestMessageTime,
    newestSeq: newestSeqValue,
    sourceHeadSeq: sourceHeadSeq ?? null,
    seqBehind,
    captureLagMs,
    oldestUnprocessedAgeMs,
    held,
    oldestHeldAgeMs,
    expiredMedia: Number(expired?.n ?? 0),
    keyMissing: Number(keyMissing?.n ?? 0),
    consentGaps,
  };
}

function hours(ms: number): number {
  return Math.round(ms / 3600_000);
}
