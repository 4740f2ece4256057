// Batched delivery (MULTIAPPEND) into a real Dovecot: a batch lands once, byte for byte, dated
// and \Seen, with the UIDs the server gave; a message the server refuses inside a batch (over
// its size limit, over the quota) gets its own error while the others land, none twice; a
// folder deleted behind the archiver's back is made again. Through the delivery stage, the
// refused item is held with the server's reason and every other row is delivered.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createImapDestination, type ImapDestination } from '../src/destinations/imap/index.js';
import { DestinationError, type RenderedItem } from '../src/destinations/types.js';
import { deliverDue } from '../src/pipeline/deliver.js';
import { markUndeliveredInDoubt, openStore } from '../src/store/index.js';
import { archiveItem, queueDelivery } from './helpers/deliveries.js';
import { largeItem, textItems, type Dovecot } from './helpers/dovecot.js';
import { asUser, messageIdsIn } from './helpers/imap-read.js';
import { dovecotPerTest, MASTER, masterImapConfig } from './helpers/imap-destination.js';

const FOLDER = 'WeChat Archiver';
const USER = 'alice@example.com';

const { cleanups, dovecot } = dovecotPerTest();

/** What the destination logged about its batches: multi-message APPENDs sent and refused as a whole. */
let batchLog: { sent: number; refused: number }[] = [];

function destination(d: Dovecot): ImapDestination {
  batchLog = [];
  const logger = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        const entry = JSON.parse(line) as { msg: string; multiAppend?: { sent: number; refused: number } };
        if (entry.msg === 'imap batch appended' && entry.multiAppend) batchLog.push(entry.multiAppend);
      },
    },
  );
  const dest = createImapDestination(masterImapConfig(d, MASTER, USER), { logger });
  cleanups.push(() => dest.close());
  return dest;
}

/** UID, internal date, flags and Message-ID of every message in the user's folder. */
async function stored(d: Dovecot) {
  return asUser(d, USER, async (c) => {
    const status = await c.status(FOLDER, { uidValidity: true });
    if (!status) throw new Error(`no status for ${FOLDER}`);
    await c.mailboxOpen(FOLDER, { readOnly: true });
    const out: { uid: number; date: number; seen: boolean; messageId: string; size: number }[] = [];
    for await (const m of c.fetch('1:*', { uid: true, internalDate: true, flags: true, envelope: true, size: true })) {
      out.push({
        uid: m.uid,
        date: new Date(m.internalDate ?? 0).getTime(),
        seen: m.flags?.has('\\Seen') ?? false,
        messageId: m.envelope?.messageId ?? '',
        size: m.size ?? 0,
      });
    }
    return { uidValidity: String(status.uidValidity), messages: out };
  });
}

/** A store in a temporary directory, closed and removed after the test. */
async function tempStore() {
  const dir = await mkdtemp(join(tmpdir(), 'wxa-imap-batch-'));
  const store = await openStore(dir);
  cleanups.push(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return store;
}

const outcomes = (r: { outcome?: unknown }[]) => r.filter((x) => x.outcome).length;

describe('IMAP batches (MULTIAPPEND) into Dovecot', () => {
  it('stores a batch once, byte for byte, dated and read, with the UIDs the server gave', async () => {
    const d = await dovecot();
    const dest = destination(d);
    const items = [...textItems(120, 'b'), largeItem(300_000)];
    const results = await dest.deliverBatch!(items, USER);
    expect(results.map((r) => r.error)).toEqual(items.map(() => undefined));
    // Dovecot offers MULTIAPPEND: the 121 items went as two commands (at most 100 each), none refused.
    expect(batchLog).toEqual([{ sent: 2, refused: 0 }]);
    const s = await stored(d);
    expect(s.messages).toHaveLength(items.length);
    const byId = new Map(s.messages.map((m) => [m.messageId, m]));
    expect(byId.size).toBe(items.length);
    for (const [i, item] of items.entries()) {
      const m = byId.get(item.messageId)!;
      expect(m.size, item.key).toBe(item.mime.length);
      expect(m.date).toBe(Math.floor(item.time / 1000) * 1000);
      expect(m.seen).toBe(true);
      // The remote id is the server's own numbering (APPENDUID of the batch, RFC 4315).
      expect(results[i]!.outcome?.remoteId).toBe(`${s.uidValidity}:${m.uid}`);
    }
    // A second batch on the kept connection lands after the first.
    const more = textItems(5, 'c');
    expect(outcomes(await dest.deliverBatch!(more, USER))).toBe(5);
    expect((await stored(d)).messages).toHaveLength(items.length + 5);
  });

  it('gives the one message over the size limit its own error; the rest of its batch land', async () => {
    const d = await dovecot({ maxMailSize: 100_000 });
    const dest = destination(d);
    const items = [...textItems(10, 'x'), largeItem(400_000), ...textItems(10, 'y')];
    const results = await dest.deliverBatch!(items, USER);
    const err = results[10]!.error;
    expect(err).toBeInstanceOf(DestinationError);
    expect((err as DestinationError).failure).toBe('permanent');
    expect((err as DestinationError).tooLarge?.size).toBe(items[10]!.mime.length);
    expect(outcomes(results)).toBe(20);
    // The batch went as one command, which the server refused as a whole; one APPEND each followed.
    expect(batchLog).toEqual([{ sent: 1, refused: 1 }]);
    const ids = await asUser(d, USER, (c) => messageIdsIn(c, FOLDER));
    expect([...ids].sort()).toEqual(
      items
        .filter((_, i) => i !== 10)
        .map((i) => i.messageId)
        .sort(),
    );
  });

  it('stores what fits when the quota runs out part-way, refuses the rest as over quota, none twice', async () => {
    const items = textItems(30, 'q');
    const size = items[0]!.mime.length;
    const d = await dovecot({ quotaBytes: size * 12 + size / 2 });
    const dest = destination(d);
    const results = await dest.deliverBatch!(items, USER);
    const stored_ = outcomes(results);
    expect(stored_).toBe(12);
    for (const r of results.filter((x) => x.error)) {
      expect((r.error as DestinationError).failure).toBe('permanent');
      expect((r.error as DestinationError).message).toMatch(/quota/i);
    }
    const ids = await asUser(d, USER, (c) => messageIdsIn(c, FOLDER));
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
  });

  it('makes the folder again when it was deleted since the last batch', async () => {
    const d = await dovecot();
    const dest = destination(d);
    expect(outcomes(await dest.deliverBatch!(textItems(3, 'f'), USER))).toBe(3);
    await asUser(d, USER, (c) => c.mailboxDelete(FOLDER));
    expect(outcomes(await dest.deliverBatch!(textItems(4, 'g'), USER))).toBe(4);
    expect((await stored(d)).messages).toHaveLength(4);
  });

  it('through the delivery stage: the refused item is held with the reason, every other row delivered', async () => {
    const d = await dovecot({ maxMailSize: 100_000 });
    const dest = destination(d);
    const store = await tempStore();
    const items: RenderedItem[] = [...textItems(40, 's'), largeItem(400_000), ...textItems(40, 't')];
    for (const [n, item] of items.entries()) {
      await archiveItem(store, item, n);
      await queueDelivery(store, { destinationId: 'imap', itemKey: item.key, mailbox: USER });
    }
    // No rerender: a copy without the attachment is not possible, so the item is held.
    const c = await deliverDue(store, [{ id: 'imap', destination: dest, perMailbox: 4, overall: 16 }]);
    expect(c.delivered).toBe(80);
    expect(c.held).toEqual({ 'destination-refused': 1 });
    const holds = await store.db.selectFrom('holds').selectAll().execute();
    expect(holds).toHaveLength(1);
    expect(holds[0]!.detail).toContain(USER);
    expect(holds[0]!.detail).toMatch(/larger than/);
    const ids = await asUser(d, USER, (cl) => messageIdsIn(cl, FOLDER));
    expect(ids).toHaveLength(80);
    expect(new Set(ids).size).toBe(80);
  });
  it('looks rows in doubt up together: those stored become duplicates, the rest go as a batch, none twice', async () => {
    const d = await dovecot();
    const dest = destination(d);
    const store = await tempStore();
    const items = textItems(60, 'doubt');
    // An earlier attempt stored every other item before its process died unrecorded.
    const stored = items.filter((_, i) => i % 2 === 0);
    await dest.deliverBatch!(stored, USER);
    const found = await dest.findMany!(items, USER);
    expect([...found.keys()].sort()).toEqual(stored.map((i) => i.key).sort());
    expect([...found.values()].every((id) => /^\d+:\d+$/.test(id ?? ''))).toBe(true);
    for (const [n, item] of items.entries()) {
      await archiveItem(store, item, n);
      await queueDelivery(store, { destinationId: 'imap', itemKey: item.key, mailbox: USER });
    }
    await markUndeliveredInDoubt(store.db);
    let lookups = 0;
    let oneByOne = 0;
    const counted = {
      ...dest,
      findMany: (...a: Parameters<NonNullable<typeof dest.findMany>>) => (lookups++, dest.findMany!(...a)),
      deliver: (...a: Parameters<typeof dest.deliver>) => (oneByOne++, dest.deliver(...a)),
    };
    const c = await deliverDue(store, [{ id: 'imap', destination: counted, perMailbox: 1, overall: 1 }], {
      batch: 100,
    });
    expect({ delivered: c.delivered, duplicates: c.duplicates }).toEqual({ delivered: 30, duplicates: 30 });
    // One lookup for the chunk of 60, no row looked up on its own.
    expect({ lookups, oneByOne }).toEqual({ lookups: 1, oneByOne: 0 });
    const ids = await asUser(d, USER, (cl) => messageIdsIn(cl, FOLDER));
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
  });
});
