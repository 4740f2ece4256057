import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeDialects } from '../../../test/helpers/dialects.js';
import { openDatabase, type Db } from '../../store/db.js';
import type { AuditAction } from './actions.js';
import { appendAudit, AUDIT_GENESIS, AUDIT_PAGE_MAX, auditHash, canonicalJson, listAudit } from './log.js';

const T0 = 1_700_000_000_000;

describeDialects('audit log', (t) => {
  let db: Db;
  beforeEach(async () => {
    db = await t.openDb();
  });
  afterEach(async () => {
    await db.destroy();
  });

  describe('appendAudit', () => {
    it('links each event to the hash of the one before, from the genesis value', async () => {
      const a = await appendAudit(db, { actor: 'alice', action: 'auth.login', target: 'alice', ip: '::1' }, T0);
      const b = await appendAudit(
        db,
        { actor: 'alice', action: 'user.create', target: 'bob', detail: { roles: ['auditor'] } },
        T0 + 1,
      );
      expect(a).toEqual({
        id: a.id,
        at: T0,
        actor: 'alice',
        action: 'auth.login',
        target: 'alice',
        detail: {},
        ip: '::1',
      });
      expect(b.detail).toEqual({ roles: ['auditor'] });
      expect(b.ip).toBe('');
      const rows = await db.selectFrom('audit_events').selectAll().orderBy('id').execute();
      expect(rows[0]?.prev_hash).toBe(AUDIT_GENESIS);
      expect(rows[0]?.hash).toBe(auditHash(AUDIT_GENESIS, a));
      expect(rows[1]?.prev_hash).toBe(rows[0]?.hash);
      expect(rows[1]?.hash).toBe(auditHash(rows[0]!.hash, b));
      expect(rows[1]?.hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('keeps one chain when many writers append at once (PostgreSQL runs them concurrently)', async () => {
      const events = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          appendAudit(db, { actor: `u${i}`, action: 'auth.login', target: `u${i}` }, T0 + i),
        ),
      );
      const rows = await db.selectFrom('audit_events').selectAll().orderBy('id').execute();
      expect(rows).toHaveLength(24);
      let prev = AUDIT_GENESIS;
      for (const r of rows) {
        expect(r.prev_hash).toBe(prev);
        const e = events.find((x) => x.id === r.id)!;
        expect(r.hash).toBe(auditHash(prev, e));
        prev = r.hash;
      }
    });

    // Three pools on one database stand for three processes (a console and two workers): on
    // PostgreSQL only the advisory lock orders them, since no pool knows of the others. SQLite
    // has no such case: one process at a time writes a data directory (store/writer-lock.ts).
    if (t.kind === 'postgres')
      it('keeps one chain when several processes append at once, each with its own connection pool', async () => {
        const url = await t.newDatabaseUrl();
        const pools: Db[] = [];
        try {
          for (let i = 0; i < 3; i++) pools.push(await openDatabase({ url }));
          const events = (
            await Promise.all(
              pools.map((p, n) =>
                Promise.all(
                  Array.from({ length: 12 }, (_, i) =>
                    appendAudit(p, { actor: `p${n}`, action: 'auth.login', target: `u${i}` }, T0 + i),
                  ),
                ),
              ),
            )
          ).flat();
          const rows = await pools[0]!.selectFrom('audit_events').selectAll().orderBy('id').execute();
          expect(rows).toHaveLength(36);
          expect(new Set(rows.map((r) => r.actor))).toEqual(new Set(['p0', 'p1', 'p2']));
          let prev = AUDIT_GENESIS;
          for (const r of rows) {
            expect(r.prev_hash).toBe(prev);
            expect(r.hash).toBe(
              auditHash(
                prev,
                events.find((x) => x.id === r.id)!,
              ),
            );
            prev = r.hash;
          }
        } finally {
          for (const p of pools) await p.destroy();
        }
      });

    it('hashes detail independently of key order, and dependently on every field', () => {
      const e = {
        at: T0,
        actor: 'a',
        action: 'search',
        target: 't',
        detail: { b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } },
        ip: '',
      };
      const reordered = { ...e, detail: { a: { c: [3, { e: 5, f: 4 }], d: 2 }, b: 1 } };
      expect(canonicalJson(e.detail)).toBe('{"a":{"c":[3,{"e":5,"f":4}],"d":2},"b":1}');
      expect(auditHash(AUDIT_GENESIS, reordered)).toBe(auditHash(AUDIT_GENESIS, e));
      const base = auditHash(AUDIT_GENESIS, e);
      for (const changed of [
        { ...e, at: T0 + 1 },
        { ...e, actor: 'b' },
        { ...e, action: 'export' },
        { ...e, target: 'u' },
        { ...e, detail: { b: 2 } },
        { ...e, ip: '1.2.3.4' },
      ]) {
        expect(auditHash(AUDIT_GENESIS, changed)).not.toBe(base);
      }
      expect(auditHash('1'.repeat(64), e)).not.toBe(base);
    });

    it('stores detail as it will read back (undefined dropped, dates as strings)', async () => {
      const e = await appendAudit(
        db,
        { actor: 'a', action: 'search', target: 't', detail: { gone: undefined, when: new Date(T0), n: 1 } },
        T0,
      );
      expect(e.detail).toEqual({ when: new Date(T0).toISOString(), n: 1 });
      const page = await listAudit(db, {});
      expect(page.events[0]?.detail).toEqual(e.detail);
    });

    it("commits or rolls back with a caller's transaction", async () => {
      await appendAudit(db, { actor: 'a', action: 'search', target: 'kept' }, T0);
      await expect(
        db.transaction().execute(async (tx) => {
          await appendAudit(tx, { actor: 'a', action: 'search', target: 'rolled back' }, T0 + 1);
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      await db.transaction().execute(async (tx) => {
        await appendAudit(tx, { actor: 'a', action: 'search', target: 'committed' }, T0 + 2);
      });
      const page = await listAudit(db, {});
      expect(page.events.map((e) => e.target)).toEqual(['committed', 'kept']);
      const rows = await db.selectFrom('audit_events').selectAll().orderBy('id').execute();
      expect(rows[1]?.prev_hash).toBe(rows[0]?.hash);
    });

    it('refuses detail that looks like a secret value', async () => {
      for (const detail of [
        { password: 'hunter2hunter2' },
        { nested: { privateKey: '-----BEGIN' } },
        { Secret: 'x' },
      ]) {
        await expect(appendAudit(db, { actor: 'a', action: 'search', target: 't', detail }, T0)).rejects.toMatchObject({
          code: 'WXA_INTERNAL',
        });
      }
      // names of secrets and flags about them are fine
      await appendAudit(
        db,
        { actor: 'a', action: 'search', target: 't', detail: { secrets: ['c1.archiveSecret'], password: true } },
        T0,
      );
      expect((await listAudit(db, {})).events).toHaveLength(1);
    });
  });

  describe('listAudit', () => {
    beforeEach(async () => {
      // 'connectorx.odd' is no registered action: it shows that the prefix filter stops at the dot.
      const actions = [
        'connector.create',
        'connector.run',
        'user.create',
        'item.view',
        'connectorx.odd',
      ] as AuditAction[];
      for (let i = 0; i < 120; i++) {
        await appendAudit(
          db,
          { actor: i % 2 === 0 ? 'alice' : 'bob', action: actions[i % actions.length]!, target: `t${i}` },
          T0 + i * 1000,
        );
      }
    });

    it('pages newest first with a keyset token until the end', async () => {
      const seen: number[] = [];
      let before: string | undefined;
      const sizes: number[] = [];
      for (;;) {
        const page = await listAudit(db, { before, limit: 50 });
        sizes.push(page.events.length);
        seen.push(...page.events.map((e) => e.id));
        if (!page.next) break;
        before = page.next;
      }
      expect(sizes).toEqual([50, 50, 20]);
      expect(seen).toEqual([...seen].sort((a, b) => b - a));
      expect(new Set(seen).size).toBe(120);
    });

    it('lists each event with its chain fields as stored', async () => {
      const page = await listAudit(db, { limit: 3 });
      const rows = await db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(3).execute();
      expect(page.events.map((e) => [e.id, e.prevHash, e.hash])).toEqual(rows.map((r) => [r.id, r.prev_hash, r.hash]));
      expect(page.events[0]!.prevHash).toBe(page.events[1]!.hash);
    });

    it('says there is no next page when the last page is exactly full', async () => {
      const page = await listAudit(db, { limit: 120 });
      expect(page.events).toHaveLength(120);
      expect(page.next).toBeNull();
    });

    it('defaults to 50 and caps the limit', async () => {
      expect((await listAudit(db, {})).events).toHaveLength(50);
      for (let i = 0; i < 500; i++) await appendAudit(db, { actor: 'c', action: 'auth.logout', target: '' }, T0);
      expect((await listAudit(db, { limit: 10_000 })).events).toHaveLength(AUDIT_PAGE_MAX);
      expect((await listAudit(db, { limit: 0 })).events).toHaveLength(1);
    });

    it('filters by actor, exact action, action prefix and time range', async () => {
      const byActor = await listAudit(db, { actor: 'bob', limit: 500 });
      expect(byActor.events).toHaveLength(60);
      expect(byActor.events.every((e) => e.actor === 'bob')).toBe(true);

      const exact = await listAudit(db, { action: 'connector.run', limit: 500 });
      expect(exact.events).toHaveLength(24);
      expect(exact.events.every((e) => e.action === 'connector.run')).toBe(true);

      const prefix = await listAudit(db, { action: 'connector.*', limit: 500 });
      expect(prefix.events).toHaveLength(48);
      expect(new Set(prefix.events.map((e) => e.action))).toEqual(new Set(['connector.create', 'connector.run']));

      const range = await listAudit(db, { from: T0 + 10_000, to: T0 + 20_000, limit: 500 });
      expect(range.events.map((e) => e.target)).toEqual([
        't19',
        't18',
        't17',
        't16',
        't15',
        't14',
        't13',
        't12',
        't11',
        't10',
      ]);

      const combined = await listAudit(db, { actor: 'alice', action: 'user.*', from: T0, to: T0 + 60_000 });
      expect(combined.events.map((e) => e.target)).toEqual(['t52', 't42', 't32', 't22', 't12', 't2']);
    });

    it('combines a filter with paging', async () => {
      const first = await listAudit(db, { actor: 'alice', limit: 25 });
      const second = await listAudit(db, { actor: 'alice', limit: 25, before: first.next! });
      const third = await listAudit(db, { actor: 'alice', limit: 25, before: second.next! });
      expect([first, second, third].map((p) => p.events.length)).toEqual([25, 25, 10]);
      expect(third.next).toBeNull();
    });

    it('refuses a page token it did not make', async () => {
      for (const before of ['abc', '-1', '1.5', '0']) {
        await expect(listAudit(db, { before }), before).rejects.toMatchObject({ code: 'WXA_INPUT_INVALID' });
      }
    });
  });
});
