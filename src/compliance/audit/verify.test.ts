import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Updateable } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { childModule } from '../../../test/helpers/cli-runtime.js';
import { describeDialects } from '../../../test/helpers/dialects.js';
import { openDatabase, type Db } from '../../store/db.js';
import type { AuditEventTable } from '../../store/schema.js';
import { AUDIT_GENESIS, appendAudit, auditHash, canonicalJson } from './log.js';
import { verifyAudit } from './verify.js';

const T0 = 1_700_000_000_000;
const run = promisify(execFile);
const DB = childModule(new URL('../../store/db.ts', import.meta.url).href);
const LOG = childModule(new URL('./log.ts', import.meta.url).href);
/** A separate process appending 30 events; better-sqlite3 blocks its thread on a lock, so only processes can race. */
const CHILD = `
const { openDatabase } = await import(process.env.DB_MODULE);
const { appendAudit } = await import(process.env.LOG_MODULE);
const db = await openDatabase({ file: process.env.FILE });
for (let i = 0; i < 30; i++) await appendAudit(db, { actor: process.env.ME, action: 'search', target: 't' + i }, Date.now());
await db.destroy();
`;

describeDialects('verifyAudit', (t) => {
  let db: Db;
  beforeEach(async () => {
    db = await t.openDb();
  });
  afterEach(async () => {
    await db.destroy();
  });

  async function fill(n: number): Promise<void> {
    for (let i = 1; i <= n; i++) {
      await appendAudit(
        db,
        {
          actor: `user${i % 3}`,
          action: 'item.view',
          target: `item-${i}`,
          detail: { n: i, tags: ['a', 'b'] },
          ip: '10.0.0.1',
        },
        T0 + i,
      );
    }
  }

  describe('verifyAudit', () => {
    it('accepts an empty log and an intact chain', async () => {
      expect(await verifyAudit(db)).toEqual({ ok: true, events: 0 });
      await fill(10);
      expect(await verifyAudit(db)).toEqual({ ok: true, events: 10 });
    });

    const edits: [string, Updateable<AuditEventTable>][] = [
      ['at', { at: T0 + 999 }],
      ['actor', { actor: 'mallory' }],
      ['action', { action: 'item.open' }],
      ['target', { target: 'item-other' }],
      ['detail', { detail_json: '{"n":5,"tags":["a"]}' }],
      ['detail (not JSON)', { detail_json: '{' }],
      ['ip', { ip: '10.0.0.2' }],
      ['prev_hash', { prev_hash: '0'.repeat(64) }],
      ['hash', { hash: 'f'.repeat(64) }],
    ];
    for (const [field, set] of edits) {
      it(`names the event whose ${field} was changed`, async () => {
        await fill(10);
        await db.updateTable('audit_events').set(set).where('id', '=', 5).execute();
        const r = await verifyAudit(db);
        expect(r).toMatchObject({ ok: false, events: 10, firstBad: { id: 5 } });
      });
    }

    it('names the next event when a rewritten event was given a matching hash', async () => {
      await fill(10);
      const row = await db.selectFrom('audit_events').selectAll().where('id', '=', 5).executeTakeFirstOrThrow();
      const forged = { ...row, actor: 'mallory' };
      const hash = auditHash(row.prev_hash, { ...forged, detail: JSON.parse(row.detail_json) });
      await db.updateTable('audit_events').set({ actor: 'mallory', hash }).where('id', '=', 5).execute();
      const r = await verifyAudit(db);
      expect(r.firstBad?.id).toBe(6);
      expect(r.firstBad?.reason).toContain('event 5');
    });

    it('names the event after a deleted one, and the first one when the start was deleted', async () => {
      await fill(10);
      await db.deleteFrom('audit_events').where('id', '=', 5).execute();
      expect(await verifyAudit(db)).toMatchObject({ ok: false, events: 9, firstBad: { id: 6 } });
      await db.deleteFrom('audit_events').where('id', '=', 1).execute();
      const r = await verifyAudit(db);
      expect(r.firstBad).toMatchObject({ id: 2 });
      expect(r.firstBad?.reason).toContain('genesis');
    });

    it('keeps a valid chain under 50 concurrent appends', async () => {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          appendAudit(db, { actor: 'c', action: 'search', target: `t${i}` }, T0 + i),
        ),
      );
      expect(await verifyAudit(db)).toEqual({ ok: true, events: 50 });
      const prevs = await db.selectFrom('audit_events').select('prev_hash').execute();
      expect(new Set(prevs.map((p) => p.prev_hash)).size).toBe(50);
    });

    // Processes on one SQLite file: on PostgreSQL, log.test.ts runs several pools on one database.
    if (t.kind === 'sqlite')
      it('keeps a valid chain when two processes append to one database file at once', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'wxa-audit-'));
        const file = join(dir, 'audit.db');
        // migrate once first, so that the children do not race to create the tables
        await (await openDatabase({ file })).destroy();
        const child = (me: string) =>
          run(process.execPath, [...DB.execArgv, '--input-type=module', '-e', CHILD], {
            env: { ...process.env, FILE: file, ME: me, DB_MODULE: DB.href, LOG_MODULE: LOG.href },
          });
        try {
          await Promise.all([child('one'), child('two'), child('three')]);
          const other = await openDatabase({ file });
          try {
            expect(await verifyAudit(other)).toEqual({ ok: true, events: 90 });
          } finally {
            await other.destroy();
          }
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });

    it('checks across page boundaries', async () => {
      // The chain is written directly, hashed as appendAudit hashes (log.test.ts checks that it
      // does): 2,500 appends one by one would cost the PostgreSQL half seconds this check does not need.
      let prev = AUDIT_GENESIS;
      const rows = Array.from({ length: 2500 }, (_, i) => {
        const e = { at: T0 + i, actor: 'bulk', action: 'search', target: `t${i}`, ip: '' };
        const hash = auditHash(prev, { ...e, detail: {} });
        const row = { ...e, id: i + 1, detail_json: canonicalJson({}), prev_hash: prev, hash };
        prev = hash;
        return row;
      });
      for (let i = 0; i < rows.length; i += 500)
        await db
          .insertInto('audit_events')
          .values(rows.slice(i, i + 500))
          .execute();
      expect(await verifyAudit(db)).toEqual({ ok: true, events: 2500 });
      await db.updateTable('audit_events').set({ target: 'changed' }).where('id', '=', 2001).execute();
      expect(await verifyAudit(db)).toMatchObject({ ok: false, events: 2500, firstBad: { id: 2001 } });
      // the link from the last event of one page to the first of the next is checked too
      await db.deleteFrom('audit_events').where('id', '=', 1000).execute();
      expect(await verifyAudit(db)).toMatchObject({ ok: false, events: 2499, firstBad: { id: 1001 } });
    });
  });
});
