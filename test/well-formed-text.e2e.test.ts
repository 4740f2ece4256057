// Lone surrogates in a source's JSON (`"\ud800"` is legal JSON) must not reach the database as
// invalid UTF-8: every text column of every table is read back as bytes and checked, and the raw
// record stays exactly as the source sent it. End to end through the CLI.
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { writeSandboxConfig } from './helpers/sandbox-config.js';
import { appendDecrypted } from './helpers/sandbox-replay.js';

let dir: { path: string; cleanup: () => Promise<void> };
let config: string;

beforeAll(async () => {
  dir = await tempDir('utf8');
  const gen = await cli('sandbox', 'generate', '--out', join(dir.path, 'tenant'), '--seed', '3', '--messages', '40');
  expect(gen.code, gen.stderr).toBe(0);
  const t = Date.UTC(2026, 0, 6, 8, 0, 0);
  await appendDecrypted(join(dir.path, 'tenant'), [
    {
      msgid: 'lone-\ud800-1',
      action: 'send',
      from: 'zhang\udc00san',
      tolist: ['li\ud83dsi', 'wang\ud83d\ude00wu'],
      roomid: 'wr\udfffroom',
      msgtime: t,
      msgtype: 'text',
      text: { content: 'half an emoji \ud83d, a whole one \ud83d\ude00, a stray \udc00' },
    },
    {
      msgid: 'lone-2',
      action: 'send',
      from: 'zhangsan',
      tolist: ['lisi'],
      roomid: '',
      msgtime: t + 1000,
      msgtype: 'chatrecord',
      chatrecord: {
        title: 'forwarded \ud800',
        item: [{ type: 'ChatRecordText', msgtime: 1, content: JSON.stringify({ content: 'inner \udbff' }) }],
      },
    },
  ]);
  config = join(dir.path, 'config.json');
  await writeSandboxConfig(config, {
    dataDir: join(dir.path, 'data'),
    id: 'utf8',
    sandbox: join(dir.path, 'tenant'),
    mapping: { addressTemplate: '{userid}@example.com' },
  });
});

afterAll(async () => {
  await dir.cleanup();
});

describe('text written to the database', () => {
  it('is valid UTF-8 in every text column, and the raw records are kept as sent', async () => {
    const r = await cliJson<{
      fetched: number;
      archived: number;
      heldTotal: number;
      failed: number;
      flagged: Record<string, number>;
    }>('run', '--once', '--config', config);
    expect(r.failed).toBe(0);
    expect(r.archived + r.heldTotal).toBe(r.fetched);
    expect(r.flagged['cleaned-text']).toBeGreaterThanOrEqual(2);

    const db = new Database(join(dir.path, 'data', 'archive.db'), { readonly: true });
    try {
      const tables = db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all() as {
        name: string;
      }[];
      let checked = 0;
      for (const { name } of tables) {
        const cols = (
          db.prepare(`SELECT name, type FROM pragma_table_info(?)`).all(name) as { name: string; type: string }[]
        ).filter((c) => /text|char|clob/i.test(c.type) || c.type === '');
        for (const c of cols) {
          const rows = db
            .prepare(`SELECT CAST("${c.name}" AS BLOB) AS b FROM "${name}" WHERE typeof("${c.name}") = 'text'`)
            .all() as { b: Buffer }[];
          for (const row of rows) {
            checked++;
            expect(isUtf8(row.b), `${name}.${c.name}: ${row.b.toString('hex').slice(0, 80)}`).toBe(true);
          }
        }
      }
      expect(checked).toBeGreaterThan(1000);

      const item = db.prepare("SELECT key, from_id, room_id FROM items WHERE msgid = 'lone-\ufffd-1'").get() as
        { key: string; from_id: string; room_id: string } | undefined;
      expect(item).toEqual({
        key: expect.stringMatching(/:lone-\ufffd-1$/),
        from_id: 'zhang\ufffdsan',
        room_id: 'wr\ufffdroom',
      });

      // The raw records: the very lines the source sent, byte for byte.
      const sent = (await readFile(join(dir.path, 'tenant', 'chatdata.jsonl'), 'utf8')).trim().split('\n');
      const stored = db.prepare('SELECT record_json FROM raw_records ORDER BY seq_key').all() as {
        record_json: string;
      }[];
      expect(stored.map((s) => s.record_json)).toEqual(sent);
    } finally {
      db.close();
    }
  });
});
