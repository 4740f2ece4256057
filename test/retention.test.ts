// Retention and disposition end to end on a real archive (sandbox tenant, SQLite, blobs): exactly
// the expired, unheld entries go, then only the items and blobs nothing references any more; a
// hold keeps entries on every path (delete, review approval, dry run); a locked policy refuses
// every shortening path (store, raw SQL, CLI); every deletion has its tombstone; verify passes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changePolicy, createPolicy, lock, remove, setPolicyEnabled } from '../src/compliance/retention/index.js';
import { runDispositionOn } from '../src/compliance/retention/wiring.js';
import { connectionOf } from '../src/store/db.js';
import { decideBatch, listBatches, openStore, type Store } from '../src/store/index.js';
import {
  archiveEntries,
  archiveFixture,
  busiestMailbox,
  expectVerifies,
  type ArchiveEntry,
  type ArchiveFixture,
} from './helpers/archive-fixture.js';
import { cli, cliJson } from './helpers/cli.js';

const DAY = 86_400_000;
let fixture: ArchiveFixture;

beforeAll(async () => {
  fixture = await archiveFixture('retention', { seed: 5, messages: 80 }, 40);
}, 300_000);

afterAll(async () => fixture.cleanup());

const copy = () => fixture.copy();

const key = (e: { itemKey: string; mailbox: string }) => `${e.itemKey} ${e.mailbox}`;

/**
 * Every mailbox but one that shares an item with another mailbox: a policy on these lets some
 * items go entirely, while items that also sit in the excluded mailbox must keep their row and blob.
 */
function allButOne(all: ArchiveEntry[]): string[] {
  const byItem = new Map<string, Set<string>>();
  for (const e of all) byItem.set(e.itemKey, (byItem.get(e.itemKey) ?? new Set()).add(e.mailbox));
  const count = new Map<string, number>();
  for (const e of all) count.set(e.mailbox, (count.get(e.mailbox) ?? 0) + 1);
  const sharing = [...count].filter(([m]) => [...byItem.values()].some((s) => s.has(m) && s.size > 1));
  const excluded = sharing.sort((a, b) => a[1] - b[1])[0]![0];
  return [...count.keys()].filter((m) => m !== excluded);
}

/** A `now` at which about half of the items' times are more than one day old. */
async function midpoint(store: Store): Promise<number> {
  const times = (await store.db.selectFrom('items').select('msg_time').orderBy('msg_time').execute()).map((r) =>
    Number(r.msg_time),
  );
  return times[Math.floor(times.length / 2)]! + DAY;
}

/** A one-day review policy on one mailbox, decided by `reviewer`. */
function reviewPolicy(store: Store, mailbox: string, reviewer: string, now: number) {
  const input = { name: 'review', period: { value: 1, unit: 'days' as const }, action: 'review' as const };
  return createPolicy(store.db, { ...input, reviewer, scope: { mailboxes: [mailbox] } }, 'test', now);
}

async function tombstones(store: Store): Promise<{ ref: string; detail: Record<string, unknown> }[]> {
  const rows = await store.db
    .selectFrom('ingest_log')
    .select(['ref', 'detail_json'])
    .where('kind', '=', 'tombstone')
    .execute();
  return rows.map((r) => ({ ref: r.ref, detail: JSON.parse(r.detail_json) as Record<string, unknown> }));
}

describe('disposition', () => {
  it('deletes exactly the expired entries of the policy scope, then only unreferenced items and blobs, each with a tombstone', async () => {
    const d = await copy();
    const store = await openStore(d);
    try {
      const before = await archiveEntries(store);
      const mailboxes = allButOne(before);
      const now = await midpoint(store);
      const p = await createPolicy(
        store.db,
        { name: 'one day', period: { value: 1, unit: 'days' }, scope: { mailboxes } },
        'test',
        now,
      );
      const inScope = before.filter((e) => mailboxes.includes(e.mailbox));
      const expired = inScope.filter((e) => e.msgTime + DAY <= now);
      expect(expired.length).toBeGreaterThan(0);
      expect(expired.length).toBeLessThan(inScope.length);
      const blobsBefore = new Set((await store.db.selectFrom('blobs').select('sha256').execute()).map((b) => b.sha256));

      const dry = await runDispositionOn(store, { now, dryRun: true });
      expect(new Set(dry.wouldGo.map(key))).toEqual(new Set(expired.map(key)));
      expect((await archiveEntries(store)).length).toBe(before.length);

      const r = await runDispositionOn(store, { now, dryRun: false });
      expect(r.deleted).toBe(expired.length);
      expect(r.keptByHold).toBe(0);
      const after = await archiveEntries(store);
      const gone = new Set(expired.map(key));
      expect(new Set(after.map(key))).toEqual(new Set(before.filter((e) => !gone.has(key(e))).map(key)));

      // Single instance: an item whose entry in another mailbox stays keeps its item row and blob.
      const items = await store.db.selectFrom('items').select(['key', 'mime_sha256']).execute();
      const itemKeys = new Set(items.map((i) => i.key));
      const stillReferenced = new Set(after.map((e) => e.itemKey));
      expect(itemKeys).toEqual(stillReferenced);
      const shared = expired.filter((e) => stillReferenced.has(e.itemKey));
      expect(shared.length).toBeGreaterThan(0);
      const blobsAfter = new Set((await store.db.selectFrom('blobs').select('sha256').execute()).map((b) => b.sha256));
      for (const i of items) expect(blobsAfter.has(i.mime_sha256)).toBe(true);
      const goneItems = [...new Set(expired.map((e) => e.itemKey))].filter((k) => !stillReferenced.has(k));
      expect(goneItems.length).toBeGreaterThan(0);
      expect(blobsAfter.size).toBeLessThan(blobsBefore.size);
      const searchRows = await store.db.selectFrom('search_items').select('item_key').execute();
      expect(searchRows.some((s) => goneItems.includes(s.item_key))).toBe(false);

      // Tombstones account for every deleted entry and item, with policy, msgid and MIME hash.
      const tombs = await tombstones(store);
      for (const t of tombs) {
        expect(JSON.stringify(t.detail)).toContain(p.id);
        expect(JSON.stringify(t.detail)).toMatch(/[0-9a-f]{64}/);
      }
      const tombRefs = new Set(tombs.map((t) => t.ref));
      for (const k of goneItems) expect(tombRefs.has(k)).toBe(true);
      expect(tombs.length).toBe(expired.length + goneItems.length);

      // A second run finds nothing more.
      const again = await runDispositionOn(store, { now, dryRun: false });
      expect(again.deleted).toBe(0);
    } finally {
      await store.close();
    }
    await expectVerifies(d);
  });

  it('a hold beats retention on every path: delete, dry run, and an approved review batch', async () => {
    const d = await copy();
    let store = await openStore(d);
    const all = await archiveEntries(store);
    const custodian = busiestMailbox(all);
    const now = Math.max(...all.map((e) => e.msgTime)) + 2 * DAY;
    await store.close();
    const caseId = (await cli('case', 'create', 'Matter R', '--data-dir', d)).stdout.trim();
    expect((await cli('hold', 'add', '--case', caseId, '--custodian', custodian, '--data-dir', d)).code).toBe(0);

    store = await openStore(d);
    try {
      const heldCount = all.filter((e) => e.mailbox === custodian).length;
      const rev = await reviewPolicy(store, custodian, 'rm', now);
      const dry = await runDispositionOn(store, { now, dryRun: true });
      expect(dry.wouldGo.filter((g) => g.mailbox === custodian)).toEqual([]);
      expect(dry.keptByHold).toBe(heldCount);

      await createPolicy(store.db, { name: 'all', period: { value: 1, unit: 'days' } }, 'test', now);
      const r = await runDispositionOn(store, { now, dryRun: false });
      expect(r.keptByHold).toBe(heldCount);
      expect(r.deleted).toBe(all.length - heldCount);
      expect(r.batchesCreated).toBe(0);
      const left = await archiveEntries(store);
      expect(left.length).toBe(heldCount);
      expect(left.every((e) => e.mailbox === custodian)).toBe(true);
      expect(rev.action).toBe('review');
    } finally {
      await store.close();
    }
    await expectVerifies(d);
  });

  it('review: nothing goes before approval; postponed stays; approved goes with the approver in the tombstone, unless a hold came in between', async () => {
    const d = await copy();
    let store = await openStore(d);
    const all = await archiveEntries(store);
    const mailbox = busiestMailbox(all);
    const mine = all.filter((e) => e.mailbox === mailbox);
    const now = Math.max(...all.map((e) => e.msgTime)) + 2 * DAY;
    try {
      const p = await reviewPolicy(store, mailbox, 'records', now);
      const r1 = await runDispositionOn(store, { now, dryRun: false });
      expect(r1).toMatchObject({ deleted: 0, batchesCreated: 1, waitingForReview: mine.length });
      // a second run does not batch the same entries again
      const r2 = await runDispositionOn(store, { now, dryRun: false });
      expect(r2).toMatchObject({ deleted: 0, batchesCreated: 0, waitingForReview: mine.length });
      const [batch] = await listBatches(store.db, ['pending']);
      expect(batch).toMatchObject({ policy_id: p.id, reviewer: 'records', entries: mine.length });
      await decideBatch(store.db, batch!.id, { status: 'postponed', by: 'records', until: now + 10 * DAY }, now);
      expect((await runDispositionOn(store, { now, dryRun: false })).deleted).toBe(0);
      // the postponement ran out: back to pending, still nothing deleted
      expect((await runDispositionOn(store, { now: now + 11 * DAY, dryRun: false })).waitingForReview).toBe(
        mine.length,
      );
      expect((await archiveEntries(store)).length).toBe(all.length);
      await decideBatch(store.db, batch!.id, { status: 'approved', by: 'records' }, now + 11 * DAY);
    } finally {
      await store.close();
    }
    // a hold placed after approval still wins
    const caseId = (await cli('case', 'create', 'Late matter', '--data-dir', d)).stdout.trim();
    const heldItem = mine[0]!;
    expect((await cli('hold', 'add', '--case', caseId, '--custodian', heldItem.mailbox, '--data-dir', d)).code).toBe(0);
    store = await openStore(d);
    try {
      const r = await runDispositionOn(store, { now: now + 12 * DAY, dryRun: false });
      expect(r.deleted).toBe(0);
      expect(r.keptByHold).toBe(mine.length);
      expect((await archiveEntries(store)).length).toBe(all.length);
    } finally {
      await store.close();
    }
  });

  it('an approved batch is carried out with the approver named in every tombstone', async () => {
    const d = await copy();
    const store = await openStore(d);
    try {
      const all = await archiveEntries(store);
      const mailbox = busiestMailbox(all);
      const mine = all.filter((e) => e.mailbox === mailbox);
      const now = Math.max(...all.map((e) => e.msgTime)) + 2 * DAY;
      await reviewPolicy(store, mailbox, 'records', now);
      await runDispositionOn(store, { now, dryRun: false });
      const [batch] = await listBatches(store.db, ['pending']);
      await decideBatch(store.db, batch!.id, { status: 'approved', by: 'records' }, now);
      const r = await runDispositionOn(store, { now, dryRun: false });
      expect(r.deleted).toBe(mine.length);
      expect(r.waitingForReview).toBe(0);
      const tombs = await tombstones(store);
      expect(tombs.length).toBeGreaterThanOrEqual(mine.length);
      for (const t of tombs) expect(JSON.stringify(t.detail)).toContain('"approver":"records"');
      expect((await listBatches(store.db, ['done'])).length).toBe(1);
    } finally {
      await store.close();
    }
    await expectVerifies(d);
  });
});

describe('preservation lock', () => {
  it('refuses every shortening path through the store and through raw SQL on the archive database', async () => {
    const d = await copy();
    const store = await openStore(d);
    try {
      const p = await createPolicy(store.db, { name: 'seven years', period: { value: 7, unit: 'years' } }, 'test', 1);
      await lock(store.db, p.id, 'test', 2);
      const locked = { code: 'WXA_RETENTION_LOCKED' };
      await expect(changePolicy(store.db, p.id, { period: { value: 6, unit: 'years' } }, 'x', 3)).rejects.toMatchObject(
        locked,
      );
      await expect(
        changePolicy(store.db, p.id, { period: { value: 3000, unit: 'days' } }, 'x', 3),
      ).rejects.toMatchObject(locked);
      await expect(
        changePolicy(store.db, p.id, { scope: { mailboxes: ['a@example.com'] } }, 'x', 3),
      ).rejects.toMatchObject(locked);
      await expect(
        changePolicy(store.db, p.id, { action: 'review', reviewer: 'someone' }, 'x', 3),
      ).rejects.toMatchObject(locked);
      await expect(setPolicyEnabled(store.db, p.id, false, 'x', 3)).rejects.toMatchObject(locked);
      await expect(remove(store.db, p.id, 'x', 3)).rejects.toMatchObject(locked);
      // extending is allowed
      const longer = await changePolicy(store.db, p.id, { period: { value: 10, unit: 'years' } }, 'x', 4);
      expect(longer.period).toEqual({ value: 10, unit: 'years' });

      const raw = connectionOf(store.db);
      expect(() => raw.prepare('UPDATE retention_policies SET period_value = 1 WHERE id = ?').run(p.id)).toThrow(
        /WXA_RETENTION_LOCKED/,
      );
      expect(() => raw.prepare('UPDATE retention_policies SET locked = 0 WHERE id = ?').run(p.id)).toThrow(
        /WXA_RETENTION_LOCKED/,
      );
      expect(() => raw.prepare('UPDATE retention_policies SET enabled = 0 WHERE id = ?').run(p.id)).toThrow(
        /WXA_RETENTION_LOCKED/,
      );
      expect(() => raw.prepare('DELETE FROM retention_policies WHERE id = ?').run(p.id)).toThrow(
        /WXA_RETENTION_LOCKED/,
      );
      const row = raw.prepare('SELECT period_value, enabled, locked FROM retention_policies WHERE id = ?').get(p.id);
      expect(row).toEqual({ period_value: 10, enabled: 1, locked: 1 });
      // each change that went through is in the ingest log
      const events = await store.db.selectFrom('ingest_log').select('ref').where('kind', '=', 'policy').execute();
      expect(events.filter((e) => e.ref === p.id).length).toBe(3); // create, lock, extend
    } finally {
      await store.close();
    }
  });

  it('CLI: add prints the id, list shows it, lock, then update to shorter, disable and remove exit 1; a longer period works', async () => {
    const d = await copy();
    const add = await cli('retention', 'add', '--name', 'Six years', '--years', '6', '--data-dir', d);
    expect(add.code).toBe(0);
    const id = add.stdout.trim();
    expect(id).toMatch(/^ret_[0-9a-f]{12}$/);
    const list = await cliJson<{ policies: { id: string; scope: { mailboxes: string[] } }[] }>(
      'retention',
      'list',
      '--data-dir',
      d,
    );
    expect(list.policies.map((p) => p.id)).toEqual([id]);
    expect(list.policies[0]!.scope.mailboxes).toEqual([]);
    expect((await cli('retention', 'lock', id, '--data-dir', d)).code).toBe(0);
    for (const args of [
      ['update', id, '--years', '5'],
      ['update', id, '--days', '4000'],
      ['disable', id],
      ['remove', id],
    ]) {
      const r = await cli('retention', ...args, '--data-dir', d);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain('WXA_RETENTION_LOCKED');
    }
    expect((await cli('retention', 'update', id, '--years', '7', '--data-dir', d)).code).toBe(0);
  });
});

describe('retention CLI', () => {
  it('run --dry-run --json lists what would go, run --json deletes it, item show of a disposed item exits 1 with its tombstone', async () => {
    const d = await copy();
    const store = await openStore(d);
    const all = await archiveEntries(store);
    await store.close();
    const mailboxes = allButOne(all);
    // Sandbox messages are at most days old: move the archive's times back 400 days so that a
    // 365-day policy, run with the real clock as the CLI does, finds them expired.
    const shifted = await openStore(d);
    connectionOf(shifted.db)
      .prepare('UPDATE items SET msg_time = msg_time - ?')
      .run(400 * DAY);
    await shifted.close();
    const id = (
      await cliJson<{ id: string }>(
        'retention',
        'add',
        '--name',
        'N',
        '--days',
        '365',
        '--mailbox',
        ...mailboxes,
        '--data-dir',
        d,
      )
    ).id;
    const dry = await cliJson<{
      dryRun: boolean;
      deleted: number;
      wouldGo: { itemKey: string; mailbox: string; msgid: string; policyId: string }[];
    }>('retention', 'run', '--dry-run', '--data-dir', d);
    const mine = all.filter((e) => mailboxes.includes(e.mailbox));
    expect(dry.deleted).toBe(mine.length);
    expect(dry.wouldGo.every((g) => mailboxes.includes(g.mailbox) && g.policyId === id)).toBe(true);
    const run = await cliJson<{ deleted: number; keptByHold: number; waitingForReview: number }>(
      'retention',
      'run',
      '--data-dir',
      d,
    );
    expect(run).toMatchObject({ deleted: mine.length, keptByHold: 0, waitingForReview: 0 });
    // an item that lived only in that mailbox is gone: item show exits 1 and names its tombstone
    const others = new Set(all.filter((e) => !mailboxes.includes(e.mailbox)).map((e) => e.itemKey));
    const onlyThere = dry.wouldGo.find((g) => !others.has(g.itemKey));
    expect(onlyThere).toBeDefined();
    const show = await cli('item', 'show', onlyThere!.msgid, '--data-dir', d);
    expect(show.code).toBe(1);
    expect(show.stderr).toContain('tombstone');
    expect(show.stderr).toContain(id);
  });
});
