/**
 * Legal holds: placed on a custodian (a mailbox: every entry it has or will get) or on a query
 * in the search syntax, optionally within a date range (the matching items in every mailbox).
 * Placing and releasing are audited; the report gives what each hold covers now.
 */
import { ArchiverError } from '../../core/errors.js';
import {
  insertLegalHold,
  legalHoldById,
  legalHoldCounts,
  legalHolds,
  releaseLegalHold,
  type Db,
  type LegalHoldRow,
} from '../../store/index.js';
import { appendAudit } from '../audit/index.js';
import { compileQuery } from '../search/query-compile.js';
import { parseQuery } from '../search/query-parse.js';
import { requireActiveCase } from './case-status.js';
import { ipOf, type Actor } from './cases.js';
import type { HoldView } from './types.js';

const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(Number(ms)).toISOString());

export async function holdView(db: Db, h: LegalHoldRow): Promise<HoldView> {
  const counts = await legalHoldCounts(db, h);
  const v: HoldView = {
    id: h.id,
    caseId: Number(h.case_id),
    kind: h.kind === 'query' ? 'query' : 'custodian',
    status: h.released_at === null ? 'active' : 'released',
    placedBy: h.placed_by,
    placedAt: iso(h.placed_at)!,
    ...counts,
  };
  if (h.custodian !== null) v.custodian = h.custodian;
  if (h.query !== null) v.query = h.query;
  if (h.date_from !== null) v.dateFrom = iso(h.date_from)!;
  if (h.date_to !== null) v.dateTo = iso(h.date_to)!;
  if (h.released_by !== null) v.releasedBy = h.released_by;
  if (h.released_at !== null) v.releasedAt = iso(h.released_at)!;
  return v;
}

function parseDate(field: string, s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
  if (Number.isNaN(t))
    throw new ArchiverError('WXA_INPUT_INVALID', `${field}: "${s}" is not a date (YYYY-MM-DD or ISO 8601)`);
  return t;
}

export interface HoldInput {
  custodian?: string;
  query?: string;
  /** YYYY-MM-DD or ISO 8601, inclusive */
  from?: string;
  /** YYYY-MM-DD or ISO 8601, exclusive */
  to?: string;
}

/**
 * The case's active hold that `matches`, marked `existing`: placing the same hold again (a
 * script re-run, a second click) leaves the one in force and adds nothing to release twice.
 */
async function activeHold(
  db: Db,
  caseId: number,
  matches: (h: LegalHoldRow) => boolean,
): Promise<HoldView | undefined> {
  const h = (await legalHolds(db, { caseIds: [caseId] })).find((x) => x.released_at === null && matches(x));
  return h && { ...(await holdView(db, h)), existing: true };
}

/** Places a hold, or gives the same active hold of the case (`existing: true`), unchanged and not audited again. */
export async function placeHold(
  db: Db,
  caseId: number,
  input: HoldInput,
  actor: Actor,
  now = Date.now(),
): Promise<HoldView> {
  await requireActiveCase(db, caseId);
  const hasCustodian = input.custodian !== undefined && input.custodian.trim() !== '';
  const hasQuery = input.query !== undefined && input.query.trim() !== '';
  if (hasCustodian === hasQuery)
    throw new ArchiverError(
      'WXA_INPUT_INVALID',
      'hold: give either a custodian (mailbox address) or a query, not both',
    );
  let id: number | undefined;
  if (hasCustodian) {
    const custodian = input.custodian!.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(custodian))
      throw new ArchiverError('WXA_INPUT_INVALID', `custodian: "${input.custodian}" is not a mailbox address`);
    const same = await activeHold(db, caseId, (h) => h.kind === 'custodian' && h.custodian === custodian);
    if (same) return same;
    id = await insertLegalHold(db, { caseId, kind: 'custodian', custodian, placedBy: actor.username }, now);
  } else {
    const query = input.query!.trim();
    // A bad query fails here with its position, before anything is stored.
    const cond = compileQuery(parseQuery(query));
    const dateFrom = parseDate('from', input.from);
    const dateTo = parseDate('to', input.to);
    const at = (ms: number | string | null) => (ms === null ? undefined : Number(ms));
    const same = await activeHold(
      db,
      caseId,
      (h) => h.kind === 'query' && h.query === query && at(h.date_from) === dateFrom && at(h.date_to) === dateTo,
    );
    if (same) return same;
    id = await insertLegalHold(
      db,
      {
        caseId,
        kind: 'query',
        query,
        cond,
        ...(dateFrom !== undefined ? { dateFrom } : {}),
        ...(dateTo !== undefined ? { dateTo } : {}),
        placedBy: actor.username,
      },
      now,
    );
  }
  if (id === undefined) {
    // Closed (or removed) by another process between the check above and the placing: nothing
    // was placed. The case's own refusal names what happened; reopened since, say so plainly.
    await requireActiveCase(db, caseId);
    throw new ArchiverError(
      'WXA_CASE_CLOSED',
      `case ${caseId} was closed while the hold was being placed, so nothing was placed; place it again`,
    );
  }
  const view = await holdView(db, (await legalHoldById(db, id))!);
  await appendAudit(
    db,
    {
      actor: actor.username,
      action: 'hold.place',
      target: String(id),
      detail: {
        caseId,
        kind: view.kind,
        ...(view.custodian ? { custodian: view.custodian } : {}),
        ...(view.query ? { query: view.query } : {}),
        items: view.items,
      },
      ...ipOf(actor),
    },
    now,
  );
  return view;
}

export async function requireHold(db: Db, id: number): Promise<LegalHoldRow> {
  const h = Number.isSafeInteger(id) ? await legalHoldById(db, id) : undefined;
  if (!h) throw new ArchiverError('WXA_NOT_FOUND', `no legal hold has id ${id}; see \`hold list\``);
  return h;
}

export async function releaseHold(
  db: Db,
  id: number,
  actor: Actor,
  reason?: string,
  now = Date.now(),
): Promise<HoldView> {
  const h = await requireHold(db, id);
  if (!(await releaseLegalHold(db, id, actor.username, reason ?? null, now)))
    throw new ArchiverError('WXA_INPUT_INVALID', `hold ${id} was already released on ${iso(h.released_at)}`);
  const view = await holdView(db, (await legalHoldById(db, id))!);
  await appendAudit(
    db,
    {
      actor: actor.username,
      action: 'hold.release',
      target: String(id),
      detail: { caseId: view.caseId, kind: view.kind, items: view.items, ...(reason ? { reason } : {}) },
      ...ipOf(actor),
    },
    now,
  );
  return view;
}

/** Every hold (caseIds undefined), or those of the given cases, with what each covers now. */
export async function holdReport(db: Db, caseIds?: readonly number[]): Promise<HoldView[]> {
  const rows = await legalHolds(db, caseIds ? { caseIds } : {});
  return Promise.all(rows.map((h) => holdView(db, h)));
}
