/** The read commands: status, mailbox list/show, item show. Each prints JSON with --json. */
import { auditCliRead } from '../../compliance/audit/index.js';
import type { Config } from '../../config/index.js';
import { ArchiverError } from '../../core/errors.js';
import { HOLD_REASONS } from '../../pipeline/hold-reasons.js';
import { TOKENIZER_VERSION } from '../../compliance/search/tokenize.js';
import {
  ARCHIVE_FOLDER,
  countItems,
  countEntries,
  findItemsByMsgid,
  getCursor,
  listConnectors,
  listEntries,
  listMailboxes,
  listPausedDeliveries,
  listRuns,
  listUnmapped,
  recordCounters,
  recordsByStatus,
  destinationCounters,
  runCountersOf,
  runOutcome,
  sourceHealth,
  searchIndexStats,
  summarizeHolds,
  tombstonesByMsgid,
  type HoldSummary,
  type RecordCounters,
  type Store,
} from '../../store/index.js';
import { type CommonFlags, withStore as withConfiguredStore } from '../context.js';
import { isoTime, printJson, table, type Io } from '../io.js';

/** Read-only commands open the archive even when a destination's secret variable is unset here. */
function withStore<T>(flags: ReadFlags, fn: (store: Store, cfg: Config) => Promise<T>): Promise<T> {
  return withConfiguredStore(flags, fn, { readOnly: true });
}

export interface ReadFlags extends CommonFlags {
  json?: boolean;
}

export async function statusCommand(flags: ReadFlags, io: Io): Promise<number> {
  return withStore(flags, async (store, cfg) => {
    const connectors = [];
    for (const c of await listConnectors(store.db)) {
      const [counters, holds, unmapped, runs, paused, destinations] = await Promise.all([
        recordCounters(store.db, { connectorId: c.id }),
        summarizeHolds(store.db, c.id),
        listUnmapped(store.db, c.id, 50),
        listRuns(store.db, { connectorId: c.id, limit: 5 }),
        listPausedDeliveries(store.db, Date.now(), c.id),
        destinationCounters(store.db, { connectorId: c.id }),
      ]);
      connectors.push({
        ...c,
        cursor: (await getCursor(store.db, c.id)) ?? '0',
        records: recordsByStatus(counters),
        counters,
        holds: holds.map((h) => ({ ...h, whatToDo: HOLD_REASONS[h.reason as keyof typeof HOLD_REASONS] ?? '' })),
        unmapped,
        health: await sourceHealth(store.db, c.id, Date.now()),
        lastRuns: runs.map((r) => ({ ...r, outcome: runOutcome(r.status, runCountersOf(r.counters)) })),
        // Waiting out a mail service's limit: paused, not failed.
        pausedDeliveries: paused.map((p) => ({ ...p, until: new Date(p.until).toISOString() })),
        partialDeliveries: destinations.reduce((n, d) => n + d.partial, 0),
        destinations,
      });
    }
    const totals = await countItems(store.db);
    const search = await searchIndexStats(store.db, TOKENIZER_VERSION);
    const status = { dataDir: cfg.dataDir, totals, search, connectors };
    if (flags.json) {
      printJson(io, status);
      return 0;
    }
    io.out(
      // Items of held records are kept (and searchable) but in no mailbox: said so, so that this
      // line does not read as "everything archived".
      `data directory ${cfg.dataDir}: ${totals.items} items kept (held ones included), ` +
        `${totals.entries} entries in ${totals.mailboxes} mailboxes\n`,
    );
    io.out(
      `search index: ${search.indexed} of ${search.items} items` +
        (search.stale ? `, ${search.stale} made by an older tokenizer` : '') +
        (search.unreadableAttachments ? `, ${search.unreadableAttachments} attachment(s) indexed by name only` : '') +
        (search.indexed < search.items || search.stale ? '; run `wechat-archiver reindex`' : '') +
        '\n',
    );
    if (connectors.length === 0) io.out('no connector has run yet: try `wechat-archiver run --once --sandbox DIR`\n');
    for (const c of connectors) {
      io.out(`\nconnector ${c.id} (${c.sourceKind}), cursor seq ${c.cursor}\n`);
      io.out(recordsLine(c.counters));
      for (const h of c.holds) io.out(holdLine(h));
      for (const u of c.unmapped.slice(0, 10)) io.out(`  unmapped: ${u.participant} (${u.items} items)\n`);
      for (const p of c.pausedDeliveries) {
        const scope = p.mailbox === undefined ? 'every mailbox' : p.mailbox;
        io.out(
          `  paused: ${p.destinationId} -> ${scope}: ${p.deliveries} deliveries wait until ${p.until} (${p.detail})\n`,
        );
      }
      if (c.partialDeliveries > 0) {
        io.out(
          `  partial deliveries: ${c.partialDeliveries} (attachments left out with a note; \`report\` lists each and why)\n`,
        );
      }
      const h = c.health;
      io.out(
        `  lag: ${h.level}${h.captureLagMs !== null ? `, last capture ${Math.round(h.captureLagMs / 60_000)} min ago` : ''}\n`,
      );
      for (const why of h.reasons) io.out(`  ! ${why}\n`);
      for (const g of h.consentGaps)
        io.out(`  known gap: ${g.externalUserId} declined archiving with ${g.userid} since ${isoTime(g.since)}\n`);
      const last = c.lastRuns[0];
      if (last) io.out(`  last run ${last.id}: ${last.outcome} at ${isoTime(last.finishedAt ?? last.startedAt)}\n`);
    }
    return 0;
  });
}

/** "750 at source: 700 archived (...), 50 held, 0 failed, 0 pending": the parts add up to the whole. */
function recordsLine(c: RecordCounters): string {
  const notes = [
    ...(c.duplicates ? [`${c.duplicates} duplicates`] : []),
    ...(c.archivedPartlyUnmapped ? [`${c.archivedPartlyUnmapped} not for every participant`] : []),
  ];
  return (
    `  records: ${c.atSource} at source: ${c.archived} archived${notes.length ? ` (${notes.join(', ')})` : ''}, ` +
    `${c.heldTotal} held, ${c.failed} failed, ${c.pending} pending; ${c.afterFanOut} mailbox entries\n`
  );
}

function holdLine(h: HoldSummary & { whatToDo: string }): string {
  const parts = [];
  if (h.records || (!h.archivedPartly && !h.deliveries)) parts.push(`${h.records} records`);
  // Archived for their other participants: counted as archived above, not as held.
  if (h.archivedPartly) parts.push(`${h.archivedPartly} archived records miss their mailboxes`);
  if (h.deliveries) parts.push(`${h.deliveries} deliveries`);
  if (h.participants && h.reason === 'unmapped') parts.push(`${h.participants} people`);
  const label = h.records ? `held ${h.reason}` : h.reason;
  return `  ${label}: ${parts.join(', ')} - ${h.whatToDo}\n`;
}

export async function mailboxListCommand(flags: ReadFlags, io: Io): Promise<number> {
  return withStore(flags, async (store) => {
    const boxes = await listMailboxes(store.db);
    if (flags.json) printJson(io, boxes);
    else
      io.out(
        table([
          ['MAILBOX', 'FOLDER', 'ITEMS', 'NEWEST'],
          ...boxes.map((b) => [b.address, b.folder, String(b.items), isoTime(b.newest)]),
        ]),
      );
    return 0;
  });
}

export async function mailboxShowCommand(
  address: string,
  flags: ReadFlags & { folder?: string; limit?: string },
  io: Io,
): Promise<number> {
  return withStore(flags, async (store) => {
    const folder = flags.folder ?? ARCHIVE_FOLDER;
    const limit = Number(flags.limit ?? 50);
    await auditCliRead(store.db, { action: 'mailbox.open', target: address.toLowerCase(), detail: { folder, limit } });
    const [total, entries] = await Promise.all([
      countEntries(store.db, address, folder),
      listEntries(store.db, address, folder, { limit }),
    ]);
    if (flags.json) {
      printJson(io, { mailbox: address.toLowerCase(), folder, total, entries });
      return 0;
    }
    io.out(`${address} / ${folder}: ${total} items (newest ${Math.min(limit, total)} shown)\n`);
    io.out(
      table([
        ['TIME', 'TYPE', 'FROM', 'MSGID', 'SIZE'],
        ...entries.map((e) => [
          isoTime(e.msgTime),
          e.msgtype + (e.recalled ? ' (recalled)' : ''),
          e.from,
          e.msgid,
          String(e.mimeSize),
        ]),
      ]),
    );
    return 0;
  });
}

export async function itemShowCommand(msgid: string, flags: ReadFlags & { mime?: boolean }, io: Io): Promise<number> {
  return withStore(flags, async (store) => {
    const items = await findItemsByMsgid(store.db, msgid);
    if (items.length === 0) {
      // A disposed item exits 1 like a missing one, but says what its tombstone proves.
      const tombstones = await tombstonesByMsgid(store.db, msgid);
      if (tombstones.length === 0) {
        throw new ArchiverError('WXA_NOT_FOUND', `no archived item has msgid ${msgid}; check \`mailbox show\` for ids`);
      }
      if (flags.json) printJson(io, { msgid, deleted: true, tombstones });
      else
        for (const t of tombstones)
          io.err(`${msgid}: deleted at ${isoTime(t.at)} (tombstone #${t.id}): ${JSON.stringify(t.detail)}\n`);
      return 1;
    }
    const item = items[0]!;
    await auditCliRead(store.db, {
      action: 'item.view',
      target: item.key,
      detail: { msgid, ...(flags.mime ? { mime: true } : {}) },
    });
    if (flags.mime) {
      io.out(await store.blobs.read(store.db, item.mimeSha256));
      return 0;
    }
    if (flags.json) printJson(io, items.length === 1 ? item : items);
    else {
      io.out(`${item.key}\n  type ${item.msgtype} (${item.action}), seq ${item.seq}, time ${isoTime(item.msgTime)}\n`);
      io.out(
        `  MIME ${item.mimeSize} bytes, sha256 ${item.mimeSha256}\n  mailboxes: ${item.mailboxes.join(', ') || '(none)'}\n`,
      );
      if (item.flags.length) io.out(`  flags: ${item.flags.join(', ')}\n`);
      if (item.recalledBy) io.out(`  recalled by ${item.recalledBy} at ${isoTime(item.recalledAt)}\n`);
    }
    return 0;
  });
}
