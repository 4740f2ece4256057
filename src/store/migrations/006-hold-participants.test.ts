// Existing per-participant unmapped holds are folded into one hold per record (per release),
// listing the participants; other holds are left as they are.
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrationProvider } from './index.js';

describe('migration 006-hold-participants', () => {
  it('folds per-participant holds into one per record', async () => {
    const sqlite = new SQLite(':memory:');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
    const migrator = new Migrator({ db, provider: migrationProvider });
    expect((await migrator.migrateTo('004-connector-counters')).error).toBeUndefined();
    const insert = sqlite.prepare(
      `INSERT INTO holds (connector_id, reason, item_key, raw_id, participant, code, detail, created_at, released_at)
       VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
    );
    for (let i = 0; i < 1000; i++)
      insert.run('c', 'unmapped', 'k1', 1, `u${i}`, `participant u${i} maps to no mailbox`, 10, null);
    for (let i = 0; i < 3; i++) insert.run('c', 'unmapped', 'k1', 1, `u${i}`, 'old', 5, 9); // released earlier
    insert.run('c', 'unmapped', 'k2', 2, 'solo', 'participant solo maps to no mailbox', 11, null);
    insert.run('c', 'unmapped', 'k3', 3, null, 'no participant of this message maps to a mailbox', 12, null);
    insert.run('c', 'destination-refused', 'k4', null, 'a@example.com', 'refused', 13, null);

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const rows = sqlite
      .prepare(
        'SELECT raw_id, reason, participant, participants, detail, created_at, released_at FROM holds ORDER BY raw_id, released_at',
      )
      .all() as {
      raw_id: number | null;
      reason: string;
      participant: string | null;
      participants: string | null;
      detail: string;
      released_at: number | null;
    }[];
    const open1 = rows.filter((r) => r.raw_id === 1 && r.released_at === null);
    expect(open1).toHaveLength(1);
    expect((JSON.parse(open1[0]!.participants!) as string[]).sort()).toEqual(
      Array.from({ length: 1000 }, (_, i) => `u${i}`).sort(),
    );
    expect(open1[0]!.detail).toBe('1000 participants map to no mailbox');
    expect(rows.filter((r) => r.raw_id === 1 && r.released_at === 9)).toHaveLength(1);
    expect(rows.find((r) => r.raw_id === 2)).toMatchObject({
      participants: '["solo"]',
      detail: 'participant solo maps to no mailbox',
    });
    expect(rows.find((r) => r.raw_id === 3)).toMatchObject({ participants: null, participant: null });
    expect(rows.find((r) => r.reason === 'destination-refused')).toMatchObject({
      participant: 'a@example.com',
      participants: null,
    });
    expect(rows).toHaveLength(5);
    await db.destroy();
  });
});
