// What a case export covers, read a page at a time: its custodian hold's entries and its query
// hold's items (the union, each item once), in sent-time order, the same keys whatever the page
// size, so a selection is never held whole and a page boundary loses or repeats nothing.
// Each runs on the archive's SQLite file and on PostgreSQL (test/helpers/dialects.ts).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { exportKeyPages, type ExportKeyPage, type Store } from '../src/store/index.js';
import { compileQuery } from '../src/compliance/search/query-compile.js';
import { parseQuery } from '../src/compliance/search/query-parse.js';
import { exportArchive } from './helpers/export-archive.js';
import { cli, cliJson } from './helpers/cli.js';
import { describeDialects } from './helpers/dialects.js';

describeDialects('export selection', (t) => {
  let fixture: Awaited<ReturnType<typeof exportArchive>>;
  let store: Store;
  let caseId: number;
  let custodian: string;

  beforeAll(async () => {
    fixture = await exportArchive('export-selection', t);
    const a = fixture.archive;
    caseId = Number((await cli('case', 'create', 'Selection', ...a.args)).stdout.trim());
    store = await a.open();
    // the mailbox with the fewest entries, so that the query hold adds items it does not hold
    const boxes = await store.db
      .selectFrom('mailbox_entries')
      .select(['mailbox', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('mailbox')
      .orderBy('n')
      .execute();
    custodian = boxes[0]!.mailbox;
    await store.close();
    await cliJson('hold', 'add', '--case', String(caseId), '--custodian', custodian, ...a.args);
    await cliJson('hold', 'add', '--case', String(caseId), '--query', 'type:text', ...a.args);
    store = await a.open();
  }, 300_000);

  afterAll(async () => {
    await store?.close();
    await fixture?.dir.cleanup();
  });

  /** the keys of each page */
  async function all(pages: AsyncIterable<ExportKeyPage>): Promise<string[][]> {
    const out: string[][] = [];
    for await (const p of pages) out.push(p.keys);
    return out;
  }

  it('a case with a custodian and a query hold: the union, once each, oldest first, the same at any page size', async () => {
    const cond = compileQuery(parseQuery('type:text'));
    const sel = { kind: 'case' as const, caseId, holds: [cond] };
    const whole = (await all(exportKeyPages(store.db, sel, 1_000_000))).flat();
    const paged = await all(exportKeyPages(store.db, sel, 7));
    expect(paged.length).toBeGreaterThan(2);
    expect(paged.slice(0, -1).every((p) => p.length === 7)).toBe(true);
    expect(paged.flat()).toEqual(whole);

    const held = new Set(
      (await store.db.selectFrom('mailbox_entries').select('item_key').where('mailbox', '=', custodian).execute()).map(
        (r) => r.item_key,
      ),
    );
    const texts = [...fixture.items.values()].filter((i) => i.msgtype === 'text').map((i) => i.key);
    const expected = [...fixture.items.values()]
      .filter((i) => held.has(i.key) || texts.includes(i.key))
      .sort((a, b) => a.time - b.time || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((i) => i.key);
    // both holds contribute, and neither alone is the whole
    expect(texts.some((k) => !held.has(k))).toBe(true);
    expect([...held].some((k) => !texts.includes(k))).toBe(true);
    expect(whole).toEqual(expected);
  }, 60_000);

  it("gives each key its item's rowid where the database has them (SQLite), and none on PostgreSQL", async () => {
    const sel = { kind: 'case' as const, caseId, holds: [compileQuery(parseQuery('type:text'))] };
    const pages = [];
    for await (const p of exportKeyPages(store.db, sel, 7)) pages.push(p);
    expect(pages.flatMap((p) => p.keys)).toEqual((await all(exportKeyPages(store.db, sel, 1_000_000))).flat());
    if (t.kind === 'postgres') {
      expect(pages.every((p) => p.rowids === null)).toBe(true);
      return;
    }
    const rowid = new Map(
      (await sql<{ rowid: number; key: string }>`SELECT rowid, key FROM items`.execute(store.db)).rows.map((r) => [
        r.key,
        Number(r.rowid),
      ]),
    );
    for (const p of pages) expect(p.rowids).toEqual(p.keys.map((k) => rowid.get(k)));
  });

  it('an empty selection gives no page', async () => {
    const sel = { kind: 'review-set' as const, reviewSetId: 999_999 };
    expect(await all(exportKeyPages(store.db, sel, 7))).toEqual([]);
  });
});
