// Legal holds against every deletion path: the store's deleteEntries (what retention calls),
// the CLI's `item delete`, and a hold on a custodian that must also cover items archived after
// it was placed. After each deletion `verify` still passes: every removal left a tombstone.
// Each runs on the archive's SQLite file and on PostgreSQL (test/helpers/dialects.ts).
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { deleteEntries, heldEntries, holdEntryKey } from '../src/store/index.js';
import {
  archiveEntries,
  archiveFixture,
  busiestMailbox,
  expectVerifies,
  type ArchiveEntry,
  type ArchiveFixture,
} from './helpers/archive-fixture.js';
import { cli, cliJson } from './helpers/cli.js';
import { describeDialects } from './helpers/dialects.js';

/** The mailbox with the most entries, and an item it shares with another mailbox. */
function pick(all: ArchiveEntry[]): { custodian: string; shared: string } {
  const custodian = busiestMailbox(all);
  const byItem = new Map<string, string[]>();
  for (const e of all) byItem.set(e.itemKey, [...(byItem.get(e.itemKey) ?? []), e.mailbox]);
  const shared = [...byItem].find(([, m]) => m.includes(custodian) && m.length > 1)![0];
  return { custodian, shared };
}

describeDialects('legal holds', (t) => {
  let fixture: ArchiveFixture;

  beforeAll(async () => {
    fixture = await archiveFixture('hold', { seed: 3, messages: 60 }, 30, t);
  }, 300_000);

  afterAll(async () => fixture.cleanup());

  const copy = () => fixture.copyOn();

  it('a custodian hold refuses retention deletion of that mailbox; other entries and unheld items go, with tombstones', async () => {
    const arc = await copy();
    const caseId = (await cli('case', 'create', 'Matter A', ...arc.args)).stdout.trim();
    expect(caseId).toMatch(/^\d+$/);
    let store = await arc.open();
    const all = await archiveEntries(store);
    const { custodian, shared } = pick(all);
    await store.close();
    const hold = await cliJson<{ id: number; items: number }>(
      'hold',
      'add',
      '--case',
      caseId,
      '--custodian',
      custodian,
      ...arc.args,
    );
    const heldItems = new Set(all.filter((e) => e.mailbox === custodian).map((e) => e.itemKey));
    expect(hold.items).toBe(heldItems.size);

    store = await arc.open();
    try {
      const held = await heldEntries(store.db, all);
      expect(held.size).toBe(all.filter((e) => e.mailbox === custodian).length);
      const res = await deleteEntries(
        store.db,
        all,
        { kind: 'retention', actor: 'retention:test', policyId: 'p1' },
        { blobs: store.blobs.objects },
      );
      expect(res.refused.length).toBe(held.size);
      expect(res.deleted.length).toBe(all.length - held.size);
      const left = await archiveEntries(store);
      expect(left.every((e) => e.mailbox === custodian)).toBe(true);
      expect(left.length).toBe(held.size);
      // the shared item stays (the custodian's entry holds it); its other mailbox's entry went
      expect(left.filter((e) => e.itemKey === shared).map((e) => [e.itemKey, e.mailbox])).toEqual([
        [shared, custodian],
      ]);
      const items = await store.db.selectFrom('items').select('key').execute();
      expect(new Set(items.map((i) => i.key))).toEqual(heldItems);
      expect(res.itemsDeleted.length).toBe(new Set(all.map((e) => e.itemKey)).size - heldItems.size);
      const search = await store.db.selectFrom('search_items').select('item_key').execute();
      expect(new Set(search.map((s) => s.item_key))).toEqual(heldItems);
      const tombs = await store.db
        .selectFrom('ingest_log')
        .select(['ref', 'detail_json'])
        .where('kind', '=', 'tombstone')
        .execute();
      const itemTombs = tombs.filter((t) => !(JSON.parse(t.detail_json) as { scope?: string }).scope);
      expect(itemTombs.length).toBe(res.itemsDeleted.length);
      const detail = JSON.parse(itemTombs[0]!.detail_json) as {
        actor: string;
        detail: { policyId: string; mimeSha256: string };
      };
      expect(detail.actor).toBe('retention:test');
      expect(detail.detail.policyId).toBe('p1');
      expect(detail.detail.mimeSha256).toMatch(/^[0-9a-f]{64}$/);
      // a blob nothing references any more is gone
      const blobs = await store.db.selectFrom('blobs').select('sha256').execute();
      const kept = await store.db.selectFrom('items').select('mime_sha256').execute();
      for (const k of kept) expect(blobs.some((b) => b.sha256 === k.mime_sha256)).toBe(true);
    } finally {
      await store.close();
    }
    await expectVerifies(arc.args);
  }, 120_000);

  it('the CLI `item delete` is refused under hold, works once the hold is released; both audited', async () => {
    const arc = await copy();
    const caseId = (await cli('case', 'create', 'Matter B', ...arc.args)).stdout.trim();
    let store = await arc.open();
    const { custodian, shared } = pick(await archiveEntries(store));
    await store.close();
    const hold = await cliJson<{ id: number }>('hold', 'add', '--case', caseId, '--custodian', custodian, ...arc.args);
    // `case show` and `case list` report the hold and the case
    const shown = await cliJson<{ custodians: string[]; holds: { id: number; status: string; items: number }[] }>(
      'case',
      'show',
      caseId,
      ...arc.args,
    );
    expect(shown.custodians).toEqual([custodian.toLowerCase()]);
    expect(shown.holds.map((h) => [h.id, h.status])).toEqual([[hold.id, 'active']]);
    expect(shown.holds[0]!.items).toBeGreaterThan(0);
    const listed = await cliJson<{ id: number; name: string; status: string }[]>('case', 'list', ...arc.args);
    expect(listed.find((c) => c.id === Number(caseId))).toMatchObject({ name: 'Matter B', status: 'active' });
    const refused = await cli('item', 'delete', shared, '--mailbox', custodian, ...arc.args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/legal hold/);
    // The case cannot be closed while its hold is on; once released it closes and reopens.
    const close = await cli('case', 'close', caseId, ...arc.args);
    expect(close.code).toBe(1);
    expect(close.stderr).toContain(`#${hold.id}`);
    store = await arc.open();
    expect((await archiveEntries(store)).some((e) => e.itemKey === shared && e.mailbox === custodian)).toBe(true);
    await store.close();
    expect((await cli('hold', 'release', String(hold.id), ...arc.args)).code).toBe(0);
    const list = await cliJson<{ id: number; status: string }[]>('hold', 'list', ...arc.args);
    expect(list.find((h) => h.id === hold.id)?.status).toBe('released');
    expect(await cliJson('case', 'close', caseId, '--reason', 'matter settled', ...arc.args)).toEqual({
      id: Number(caseId),
      status: 'closed',
    });
    expect((await cli('hold', 'add', '--case', caseId, '--custodian', custodian, ...arc.args)).code).toBe(1);
    expect((await cliJson<{ status: string }>('case', 'reopen', caseId, ...arc.args)).status).toBe('active');
    // a custodian with nothing archived is held (what arrives later), and the operator is told
    const newHire = await cli('hold', 'add', '--case', caseId, '--custodian', 'New.Hire@example-bank.cn', ...arc.args);
    expect(newHire.code).toBe(0);
    expect(newHire.stdout).toMatch(/^hold \d+ placed on case \d+: 0 items, 0 bytes\n/);
    expect(newHire.stdout).toContain('note: nothing of new.hire@example-bank.cn is archived yet');
    const held = await cli('hold', 'add', '--case', caseId, '--custodian', custodian, ...arc.args);
    expect(held.stdout).not.toContain('note:');
    // the same hold again (a re-run script): the one in force, nothing added, nothing to release twice
    const heldId = Number(/^hold (\d+)/.exec(held.stdout)![1]);
    const before = (await cliJson<unknown[]>('hold', 'list', ...arc.args)).length;
    const again = await cliJson<{ id: number; existing?: boolean; status: string }>(
      'hold',
      'add',
      '--case',
      caseId,
      '--custodian',
      custodian.toUpperCase(),
      ...arc.args,
    );
    expect(again).toMatchObject({ id: heldId, existing: true, status: 'active' });
    const againText = await cli('hold', 'add', '--case', caseId, '--custodian', custodian, ...arc.args);
    expect(againText.stdout).toMatch(
      new RegExp(
        `^case ${caseId} already holds ${custodian.toLowerCase()}: hold ${heldId} \\(\\d+ items, \\d+ bytes\\), placed .*; nothing added\\n$`,
      ),
    );
    const query = ['hold', 'add', '--case', caseId, '--query', 'type:text', '--from', '2020-01-01', ...arc.args];
    const q1 = await cliJson<{ id: number; existing?: boolean }>(...query);
    const q2 = await cliJson<{ id: number; existing?: boolean }>(...query);
    expect(q1.existing).toBeUndefined();
    expect(q2).toMatchObject({ id: q1.id, existing: true });
    // another date range is another hold
    const q3 = await cliJson<{ id: number; existing?: boolean }>(...query.slice(0, 7), '2021-01-01', ...arc.args);
    expect(q3.id).not.toBe(q1.id);
    expect((await cliJson<unknown[]>('hold', 'list', ...arc.args)).length).toBe(before + 2);
    for (const id of [q1.id, q3.id]) expect((await cli('hold', 'release', String(id), ...arc.args)).code).toBe(0);
    for (const id of [newHire, held].map((r) => /^hold (\d+)/.exec(r.stdout)![1]!))
      expect((await cli('hold', 'release', id, ...arc.args)).code).toBe(0);
    const ok = await cli('item', 'delete', shared, '--mailbox', custodian, ...arc.args);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    store = await arc.open();
    try {
      expect((await archiveEntries(store)).some((e) => e.itemKey === shared && e.mailbox === custodian)).toBe(false);
      // another mailbox still has it: the item stays
      expect(
        await store.db.selectFrom('items').select('key').where('key', '=', shared).executeTakeFirst(),
      ).toBeDefined();
      const audit = await store.db.selectFrom('audit_events').select(['action', 'detail_json']).orderBy('id').execute();
      const deletes = audit
        .filter((a) => a.action === 'item.delete')
        .map((a) => JSON.parse(a.detail_json) as { outcome: string });
      expect(deletes.map((x) => x.outcome)).toEqual(['refused-hold', 'deleted']);
      expect(audit.some((a) => a.action === 'hold.release')).toBe(true);
    } finally {
      await store.close();
    }
    await expectVerifies(arc.args);
  }, 120_000);

  it('a query hold preserves the matching items in every mailbox, and only within its date range', async () => {
    const arc = await copy();
    let store = await arc.open();
    const all = await archiveEntries(store);
    const text = await store.db.selectFrom('search_items').select(['item_key', 'msgtype', 'msg_time']).execute();
    await store.close();
    const caseId = (await cli('case', 'create', 'Matter C', ...arc.args)).stdout.trim();
    const images = text.filter((t) => t.msgtype === 'image');
    expect(images.length).toBeGreaterThan(0);
    const hold = await cliJson<{ items: number }>(
      'hold',
      'add',
      '--case',
      caseId,
      '--query',
      'type:image',
      ...arc.args,
    );
    expect(hold.items).toBe(images.length);
    store = await arc.open();
    try {
      const imageKeys = new Set(images.map((i) => i.item_key));
      const held = await heldEntries(store.db, all);
      for (const e of all) expect(held.has(holdEntryKey(e.itemKey, e.mailbox))).toBe(imageKeys.has(e.itemKey));
      await deleteEntries(store.db, all, { kind: 'admin', actor: 'alice' }, { blobs: store.blobs.objects });
      const left = await archiveEntries(store);
      expect(left.length).toBe(all.filter((e) => imageKeys.has(e.itemKey)).length);
    } finally {
      await store.close();
    }
    await expectVerifies(arc.args);
  }, 120_000);

  it('a custodian hold covers items archived after it was placed', async () => {
    const arc = await copy();
    let store = await arc.open();
    const { custodian } = pick(await archiveEntries(store));
    const before = new Set((await archiveEntries(store)).map((e) => e.itemKey));
    await store.close();
    const caseId = (await cli('case', 'create', 'Matter D', ...arc.args)).stdout.trim();
    await cliJson('hold', 'add', '--case', caseId, '--custodian', custodian, ...arc.args);
    const later = join(fixture.root, `later-${Date.now()}`);
    // The same tenant (same seed), grown: its new messages go to the same mailboxes.
    await generateTenant({ outDir: later, seed: 3, messages: 120 });
    await cliJson('run', '--once', '--sandbox', later, '--connector', 'later', ...arc.args, '--workers', '0');
    store = await arc.open();
    try {
      const now = await archiveEntries(store);
      const fresh = now.filter((e) => !before.has(e.itemKey));
      const freshOfCustodian = fresh.filter((e) => e.mailbox === custodian);
      expect(freshOfCustodian.length).toBeGreaterThan(0);
      const res = await deleteEntries(
        store.db,
        fresh,
        { kind: 'retention', actor: 'retention:test' },
        { blobs: store.blobs.objects },
      );
      expect(res.refused).toEqual(expect.arrayContaining(freshOfCustodian));
      expect(res.refused.length).toBe(freshOfCustodian.length);
      const left = await archiveEntries(store);
      for (const e of freshOfCustodian) expect(left).toContainEqual(e);
    } finally {
      await store.close();
    }
  }, 300_000);
});
