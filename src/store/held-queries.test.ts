// The read queries with a dialect-specific point (a JSON list expanded, names joined, a UTC day,
// a JSON field), checked against the same seeded rows on SQLite and PostgreSQL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import { unmappedPeople } from './console-queries.js';
import { recordCountersByDay } from './counters.js';
import { tombstonesByMsgid } from './disposition.js';
import { commitCapture, holdSummaries, listProblemRows, listUnmapped, type Store } from './index.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 23, 0, 0);

describeDialects('held-record queries', (t) => {
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wxa-held-queries-'));
    store = await t.openStore(dir);
    const db = store.db;
    const rec = (seq: number) => ({ seq: String(seq), msgid: `m${seq}`, publickey_ver: 1, json: `{"seq":${seq}}` });
    await commitCapture(db, 'c', [rec(1), rec(2)], '2', T0);
    await commitCapture(db, 'c', [rec(3)], '3', T0 + 2 * 3600_000); // the next UTC day
    const raw = await db.selectFrom('raw_records').select(['id', 'seq_key']).orderBy('seq_key').execute();
    await db.updateTable('raw_records').set({ status: 'held', hold_reason: 'unmapped' }).execute();
    await db.updateTable('raw_records').set({ status: 'done' }).where('id', '=', raw[2]!.id).execute();
    const hold = (rawId: number, participants: string[], itemKey: string | null) => ({
      connector_id: 'c',
      reason: 'unmapped',
      item_key: itemKey,
      raw_id: rawId,
      participant: null,
      participants: JSON.stringify(participants),
      code: null,
      detail: `${participants.length} participants map to no mailbox`,
      created_at: T0,
      released_at: null,
    });
    await db
      .insertInto('holds')
      .values([
        hold(raw[0]!.id, ['zhang', 'li'], null),
        hold(raw[1]!.id, ['zhang'], null),
        hold(raw[2]!.id, ['wang'], 'k3'),
      ])
      .execute();
    await db
      .insertInto('people')
      .values({ connector_id: 'c', id: 'zhang', kind: 'user', name: '张三', updated_at: 1 })
      .execute();
    for (const mailbox of ['b@x.cn', 'a@x.cn'])
      await db
        .insertInto('mailbox_entries')
        .values({ mailbox, folder: 'F', item_key: 'k3', mime_sha256: 'x', msg_time: 1, delivered_at: 1, run_id: null })
        .execute();
    await db
      .insertInto('ingest_log')
      .values({
        id: 100,
        at: 5,
        kind: 'tombstone',
        connector_id: 'c',
        ref: 'k9',
        digest: Buffer.alloc(0),
        detail_json: JSON.stringify({ msgid: 'm9', reason: 'retention' }),
        hash: Buffer.alloc(32, 1),
      })
      .execute();
  });

  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('expands the participant lists of unmapped holds', async () => {
    expect(await listUnmapped(store.db, 'c')).toEqual([
      { participant: 'zhang', items: 2 },
      { participant: 'li', items: 1 },
      { participant: 'wang', items: 1 },
    ]);
    expect(await listUnmapped(store.db)).toHaveLength(3);
    expect((await unmappedPeople(store.db))[0]).toEqual({
      connectorId: 'c',
      participant: 'zhang',
      name: '张三',
      kind: 'user',
      heldItems: 2,
    });
    const [s] = await holdSummaries(store.db, 'c');
    expect(s).toMatchObject({ connectorId: 'c', reason: 'unmapped', records: 2, participants: 3, archivedPartly: 1 });
  });

  it('counts records per UTC capture day', async () => {
    const days = await recordCountersByDay(store.db, { connectorId: 'c' });
    expect(days.map((d) => [d.day, d.atSource])).toEqual([
      ['2026-11-01', 2],
      ['2026-11-02', 1],
    ]);
    expect(days[1]!.archivedPartlyUnmapped).toBe(1);
    expect(await recordCountersByDay(store.db, { connectorId: 'c', since: T0 + DAY })).toEqual([]);
  });

  it("lists an item's mailboxes in order, joined by spaces", async () => {
    const rows = await listProblemRows(store.db, { since: 0, limit: 10 });
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.targetMailbox)).toContain('a@x.cn b@x.cn');
  });

  it('finds tombstones by the msgid inside their JSON detail', async () => {
    const found = await tombstonesByMsgid(store.db, 'm9');
    expect(found).toEqual([{ id: 100, at: 5, ref: 'k9', detail: { msgid: 'm9', reason: 'retention' } }]);
    expect(await tombstonesByMsgid(store.db, 'm1')).toEqual([]);
  });
});
