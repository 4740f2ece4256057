/**
 * `case create|list|show`, `hold add|list|release` and `item delete`: the eDiscovery commands
 * an operator runs on the server. The actor is the OS user (as for every CLI read and change),
 * and every change is audited by the domain functions it calls.
 */
import { cliActor } from '../../compliance/audit/index.js';
import {
  closeCase,
  createCase,
  holdReport,
  listCases,
  listReviewSets,
  listSavedSearches,
  placeHold,
  releaseHold,
  reopenCase,
  requireCase,
  showCase,
  type HoldView,
} from '../../compliance/cases/index.js';
import { deleteItemEntry } from '../../compliance/deletion/delete-entry.js';
import { listExports } from '../../compliance/export/index.js';
import { ArchiverError } from '../../core/errors.js';
import { type CommonFlags, withStore } from '../context.js';
import { printJson, table, type Io } from '../io.js';
import { exportsTable } from './export-rows.js';

type JsonFlag = CommonFlags & { json?: boolean };

export function idArg(name: string, v: string): number {
  const n = Number(v);
  if (!/^\d{1,15}$/.test(v) || !Number.isSafeInteger(n))
    throw new ArchiverError('WXA_INPUT_INVALID', `${name}: "${v}" is not an id (a whole number)`);
  return n;
}

const actor = () => ({ username: cliActor() });

export async function caseCreateCommand(
  name: string,
  flags: JsonFlag & { description?: string; member?: string[] },
  io: Io,
): Promise<number> {
  return withStore(
    flags,
    async (store) => {
      const c = await createCase(
        store.db,
        { name, ...(flags.description ? { description: flags.description } : {}), members: flags.member ?? [] },
        actor(),
      );
      if (flags.json) printJson(io, c);
      else io.out(`${c.id}\n`);
      return 0;
    },
    { create: true, io },
  );
}

export async function caseListCommand(flags: JsonFlag, io: Io): Promise<number> {
  return withStore(flags, async (store) => {
    const cases = await listCases(store.db);
    if (flags.json) printJson(io, cases);
    else
      io.out(
        table([
          ['ID', 'STATUS', 'CREATED', 'BY', 'NAME'],
          ...cases.map((c) => [String(c.id), c.status, c.createdAt, c.createdBy, c.name]),
        ]),
      );
    return 0;
  });
}

function holdRows(holds: HoldView[]): string {
  return table([
    ['HOLD', 'CASE', 'STATUS', 'COVERS', 'ITEMS', 'BYTES', 'PLACED', 'BY'],
    ...holds.map((h) => [
      String(h.id),
      String(h.caseId),
      h.status,
      h.kind === 'custodian'
        ? `custodian ${h.custodian}`
        : `query ${h.query}${h.dateFrom || h.dateTo ? ` [${h.dateFrom ?? ''}..${h.dateTo ?? ''})` : ''}`,
      String(h.items),
      String(h.bytes),
      h.placedAt,
      h.placedBy,
    ]),
  ]);
}

export async function caseShowCommand(id: string, flags: JsonFlag, io: Io): Promise<number> {
  return withStore(flags, async (store, cfg) => {
    const c = await showCase(store.db, idArg('case', id));
    // the review sets' ids are what `export --case ID --review-set ID` takes
    const savedSearches = await listSavedSearches(store.db, c.id);
    const reviewSets = await listReviewSets(store.db, c.id);
    // every export of the case, the console's and the export command's, the latest first
    const exports = await listExports(store, { dataDir: cfg.dataDir, caseId: c.id, now: Date.now() });
    if (flags.json) {
      printJson(io, { ...c, savedSearches, reviewSets, exports });
      return 0;
    }
    io.out(`case ${c.id}: ${c.name} (${c.status})\n`);
    if (c.description) io.out(`${c.description}\n`);
    io.out(`created ${c.createdAt} by ${c.createdBy}\n`);
    io.out(`members: ${c.members.map((m) => m.username).join(', ') || '(none)'}\n`);
    io.out(`custodians on hold: ${c.custodians.join(', ') || '(none)'}\n\n`);
    io.out(holdRows(c.holds));
    io.out('\nsaved searches:\n');
    io.out(
      savedSearches.length === 0
        ? '(none)\n'
        : table([
            ['SEARCH', 'NAME', 'ITEMS', 'MAILBOXES', 'BYTES', 'RUN', 'QUERY'],
            ...savedSearches.map((s) => [
              String(s.id),
              s.name,
              s.counts ? String(s.counts.items) : '-',
              s.counts ? String(s.counts.mailboxes) : '-',
              s.counts ? String(s.counts.bytes) : '-',
              s.runAt ?? 'never',
              s.query,
            ]),
          ]),
    );
    io.out('\nreview sets:\n');
    io.out(
      reviewSets.length === 0
        ? '(none)\n'
        : table([
            ['SET', 'ITEMS', 'REVIEWERS', 'CREATED', 'NAME'],
            ...reviewSets.map((r) => [
              String(r.id),
              String(r.items),
              r.reviewers.join(', ') || '-',
              r.createdAt,
              r.name,
            ]),
          ]),
    );
    io.out('\nexports:\n');
    io.out(exports.length === 0 ? '(none)\n' : exportsTable(exports, 'case'));
    return 0;
  });
}

export async function holdAddCommand(
  flags: JsonFlag & { case: string; custodian?: string; query?: string; from?: string; to?: string },
  io: Io,
): Promise<number> {
  if ((flags.custodian === undefined) === (flags.query === undefined)) {
    io.err('hold add: give exactly one of --custodian ADDRESS or --query Q\n');
    return 2;
  }
  return withStore(
    flags,
    async (store) => {
      const h = await placeHold(
        store.db,
        idArg('--case', flags.case),
        {
          ...(flags.custodian !== undefined ? { custodian: flags.custodian } : {}),
          ...(flags.query !== undefined ? { query: flags.query } : {}),
          ...(flags.from !== undefined ? { from: flags.from } : {}),
          ...(flags.to !== undefined ? { to: flags.to } : {}),
        },
        actor(),
      );
      if (flags.json) printJson(io, h);
      else if (h.existing)
        io.out(
          `case ${h.caseId} already holds ${h.custodian ?? `query ${h.query}`}: hold ${h.id} (${h.items} items, ${h.bytes} bytes), placed ${h.placedAt} by ${h.placedBy}; nothing added\n`,
        );
      else {
        io.out(`hold ${h.id} placed on case ${h.caseId}: ${h.items} items, ${h.bytes} bytes\n`);
        // A custodian with nothing archived yet is held all the same (new staff, a mailbox filled
        // later); but it is also what a mistyped address looks like.
        if (h.custodian !== undefined && h.items === 0)
          io.out(
            `note: nothing of ${h.custodian} is archived yet; the hold covers its items as they arrive (check the address: \`mailbox list\`)\n`,
          );
      }
      return 0;
    },
    { create: true, io },
  );
}

export async function holdListCommand(flags: JsonFlag & { case?: string }, io: Io): Promise<number> {
  return withStore(flags, async (store) => {
    let caseIds: number[] | undefined;
    if (flags.case !== undefined) {
      caseIds = [idArg('--case', flags.case)];
      await requireCase(store.db, caseIds[0]!);
    }
    const holds = await holdReport(store.db, caseIds);
    if (flags.json) printJson(io, holds);
    else io.out(holdRows(holds));
    return 0;
  });
}

export async function holdReleaseCommand(id: string, flags: JsonFlag & { reason?: string }, io: Io): Promise<number> {
  return withStore(flags, async (store) => {
    const h = await releaseHold(store.db, idArg('hold', id), actor(), flags.reason);
    if (flags.json) printJson(io, h);
    else io.out(`hold ${h.id} released\n`);
    return 0;
  });
}

/** `case close ID` / `case reopen ID`: closing is refused while a hold of the case is active. */
export async function caseStatusCommand(
  change: 'close' | 'reopen',
  id: string,
  flags: JsonFlag & { reason?: string },
  io: Io,
): Promise<number> {
  return withStore(flags, async (store) => {
    const caseId = idArg('case', id);
    await (change === 'close' ? closeCase : reopenCase)(store.db, caseId, actor(), flags.reason);
    const c = await requireCase(store.db, caseId);
    if (flags.json) printJson(io, { id: c.id, status: c.status });
    else io.out(`case ${c.id} ${change === 'close' ? 'closed' : 'reopened'}\n`);
    return 0;
  });
}

export async function itemDeleteCommand(
  itemKey: string,
  flags: JsonFlag & { mailbox: string; reason?: string },
  io: Io,
): Promise<number> {
  return withStore(flags, async (store) => {
    const res = await deleteItemEntry(store, {
      itemKey,
      mailbox: flags.mailbox,
      via: 'cli',
      actor: cliActor(),
      ...(flags.reason ? { reason: flags.reason } : {}),
    });
    const out = {
      deleted: res.deleted.length,
      itemDeleted: res.itemsDeleted.length > 0,
      blobsDeleted: res.blobsDeleted,
    };
    if (flags.json) printJson(io, out);
    else
      io.out(
        `deleted ${itemKey} from ${flags.mailbox}${out.itemDeleted ? '; no mailbox had it any more, so the item and its unshared blobs went too' : ''}\n`,
      );
    return 0;
  });
}
