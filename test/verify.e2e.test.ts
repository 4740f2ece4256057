// `verify` against a real archive made by the CLI from a sandbox tenant, then altered the way
// someone with write access to the data directory could: each alteration must fail verify
// (exit 1) and name the broken thing; an untouched copy, and a deletion with a tombstone, pass.
// The archive's log holds item events of both digest versions (every other item logged as
// before version 2: helpers/item-digest-v1.ts), each checked by the version it names.
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deleteItemWithTombstone, openStore, commitCapture } from '../src/store/index.js';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { logVersion1Every, version1 } from './helpers/item-digest-v1.js';

vi.mock('../src/store/ingest-digest.js', async (actual) =>
  (await import('./helpers/item-digest-v1.js')).mixedItemDigests(await actual()),
);

interface Report {
  ok: boolean;
  firstBroken: Record<string, unknown> | null;
  problemCount: number;
  gaps: { connectorId: string; from: string; to: string; count: number }[];
  blobs: { checked: number };
  ingest: { events: number; items: number; entries: number; rawRecords: number };
  checkpoints: { checked: number };
}

let dir: { path: string; cleanup: () => Promise<void> };
let pristine: string;
/** item events the archive's run logged as version 1 */
let itemsOfVersion1 = 0;
let n = 0;

beforeAll(async () => {
  dir = await tempDir('verify');
  const sandbox = join(dir.path, 'tenant');
  await generateTenant({ outDir: sandbox, seed: 7, messages: 150 });
  pristine = join(dir.path, 'pristine');
  logVersion1Every(2);
  const run = await cliJson<{ archived: number }>(
    'run',
    '--once',
    '--sandbox',
    sandbox,
    '--data-dir',
    pristine,
    '--workers',
    '0',
  );
  expect(run.archived).toBeGreaterThan(100);
  itemsOfVersion1 = version1.written;
  logVersion1Every(0);
  expect(itemsOfVersion1).toBeGreaterThan(50);
}, 300_000);

afterAll(async () => {
  await dir.cleanup();
});

/** A fresh copy of the archive to alter. */
async function copy(): Promise<string> {
  const d = join(dir.path, `copy-${++n}`);
  await cp(pristine, d, { recursive: true });
  return d;
}

function sqlite(d: string, fn: (db: Database.Database) => void): void {
  const db = new Database(join(d, 'archive.db'));
  try {
    fn(db);
  } finally {
    db.close();
  }
}

async function verify(d: string, ...extra: string[]): Promise<{ code: number; report: Report; text: string }> {
  const r = await cli('verify', '--data-dir', d, '--json', ...extra);
  const t = await cli('verify', '--data-dir', d, ...extra);
  expect(t.code).toBe(r.code);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, text: t.stdout };
}

describe('verify', () => {
  it('passes on the untouched archive, having checked every part', async () => {
    const { code, report, text } = await verify(pristine);
    expect(report.firstBroken).toBeNull();
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.ingest.items).toBeGreaterThan(100);
    expect(report.ingest.entries).toBeGreaterThan(report.ingest.items);
    expect(report.ingest.rawRecords).toBe(150);
    expect(report.blobs.checked).toBeGreaterThan(report.ingest.items);
    expect(report.checkpoints.checked).toBe(1); // `run --once` signed one
    expect(text).toContain('archive verified');
    // Both versions of item digests, as many as were written each way.
    sqlite(pristine, (db) => {
      const byVersion = db
        .prepare(
          "SELECT json_extract(detail_json, '$.digestVersion') AS v, count(*) AS n FROM ingest_log WHERE kind = 'item' GROUP BY v ORDER BY v",
        )
        .all();
      expect(byVersion).toEqual([
        { v: null, n: itemsOfVersion1 },
        { v: 2, n: report.ingest.items - itemsOfVersion1 },
      ]);
    });
    // Each run is kept for the console's Integrity page, with the OS user who ran it.
    sqlite(pristine, (db) => {
      const runs = db.prepare('SELECT ok, via, actor, problem_count FROM verify_runs ORDER BY id').all();
      expect(runs).toHaveLength(2);
      for (const r of runs)
        expect(r).toMatchObject({ ok: 1, via: 'cli', problem_count: 0, actor: expect.stringMatching(/^os:/) });
    });
  });

  it('names the blob whose file had one byte flipped', async () => {
    const d = await copy();
    let sha = '';
    sqlite(d, (db) => {
      sha = (db.prepare('SELECT sha256 FROM blobs WHERE data IS NULL LIMIT 1').get() as { sha256: string }).sha256;
    });
    const file = join(d, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha);
    const bytes = await readFile(file);
    bytes[Math.floor(bytes.length / 2)] = bytes[Math.floor(bytes.length / 2)]! ^ 0x01;
    await writeFile(file, bytes);
    const { code, report, text } = await verify(d);
    expect(code).toBe(1);
    expect(report.firstBroken).toMatchObject({ kind: 'blob', sha256: sha });
    expect(text).toContain(`FIRST BROKEN: blob: blob ${sha}`);
  });

  it('names the blob whose bytes in the database were altered', async () => {
    const d = await copy();
    let sha = '';
    sqlite(d, (db) => {
      sha = (
        db.prepare("SELECT sha256 FROM blobs WHERE data IS NOT NULL AND encoding = 'raw' LIMIT 1").get() as {
          sha256: string;
        }
      ).sha256;
      db.prepare("UPDATE blobs SET data = CAST(data || 'x' AS BLOB) WHERE sha256 = ?").run(sha);
    });
    const { code, report } = await verify(d);
    expect(code).toBe(1);
    expect(report.firstBroken).toMatchObject({ kind: 'blob', sha256: sha });
  });

  const rowEdits: [string, string, (db: Database.Database) => Record<string, unknown>][] = [
    [
      'an item',
      'item',
      (db) => {
        const i = db.prepare('SELECT key, msgid FROM items ORDER BY key LIMIT 1 OFFSET 10').get() as {
          key: string;
          msgid: string;
        };
        db.prepare("UPDATE items SET from_id = 'mallory' WHERE key = ?").run(i.key);
        return { itemKey: i.key, msgid: i.msgid };
      },
    ],
    [
      'a mailbox entry',
      'entry',
      (db) => {
        const e = db.prepare('SELECT id, item_key, mailbox FROM mailbox_entries LIMIT 1 OFFSET 20').get() as {
          id: number;
          item_key: string;
          mailbox: string;
        };
        db.prepare('UPDATE mailbox_entries SET msg_time = msg_time + 1000 WHERE id = ?').run(e.id);
        return { itemKey: e.item_key, mailbox: e.mailbox };
      },
    ],
    [
      'a raw record',
      'raw',
      (db) => {
        const r = db.prepare('SELECT id, seq_key, msgid FROM raw_records LIMIT 1 OFFSET 30').get() as {
          id: number;
          seq_key: string;
          msgid: string;
        };
        db.prepare('UPDATE raw_records SET record_json = replace(record_json, \'"seq"\', \'"seq" \') WHERE id = ?').run(
          r.id,
        );
        return { seqKey: r.seq_key, msgid: r.msgid };
      },
    ],
    [
      'a raw record and its SHA-256 column together',
      'raw',
      (db) => {
        const r = db.prepare('SELECT id, seq_key FROM raw_records LIMIT 1 OFFSET 31').get() as {
          id: number;
          seq_key: string;
        };
        db.prepare('UPDATE raw_records SET publickey_ver = publickey_ver + 1 WHERE id = ?').run(r.id);
        return { seqKey: r.seq_key };
      },
    ],
  ];
  /** An item whose event names digest version `v` (1: names none), the nth of them. */
  const itemOfVersion = (db: Database.Database, v: 1 | 2, nth: number) =>
    db
      .prepare(
        `SELECT i.key, i.msgid FROM items i JOIN ingest_log l ON l.kind = 'item' AND l.ref = i.key
         WHERE json_extract(l.detail_json, '$.digestVersion') IS ${v === 2 ? '2' : 'NULL'} ORDER BY i.key LIMIT 1 OFFSET ?`,
      )
      .get(nth) as { key: string; msgid: string };
  for (const v of [1, 2] as const) {
    rowEdits.push(
      [
        `an item of digest version ${v}`,
        'item',
        (db) => {
          const i = itemOfVersion(db, v, 3);
          db.prepare("UPDATE items SET flags = 'edited' WHERE key = ?").run(i.key);
          return { itemKey: i.key, msgid: i.msgid };
        },
      ],
      [
        `the model of an item of digest version ${v}`,
        'item',
        (db) => {
          const i = itemOfVersion(db, v, 5);
          // One character of the message's id inside its model, the model's length unchanged.
          const { model_json: model } = db.prepare('SELECT model_json FROM items WHERE key = ?').get(i.key) as {
            model_json: string;
          };
          const at = model.indexOf(i.msgid) + i.msgid.length - 1;
          expect(at).toBeGreaterThan(0);
          const edited = `${model.slice(0, at)}${model[at] === 'Z' ? 'Y' : 'Z'}${model.slice(at + 1)}`;
          expect(edited).not.toBe(model);
          expect(edited).toHaveLength(model.length);
          db.prepare('UPDATE items SET model_json = ? WHERE key = ?').run(edited, i.key);
          return { itemKey: i.key, msgid: i.msgid };
        },
      ],
    );
  }
  for (const [what, kind, edit] of rowEdits) {
    it(`names ${what} that was changed`, async () => {
      const d = await copy();
      let expected: Record<string, unknown> = {};
      sqlite(d, (db) => (expected = edit(db)));
      const { code, report } = await verify(d);
      expect(code).toBe(1);
      expect(report.firstBroken).toMatchObject({ kind, ...expected });
      expect(report.firstBroken?.eventId).toEqual(expect.any(Number));
    });
  }

  it('names an item deleted without a tombstone, and accepts one deleted with a tombstone', async () => {
    const d = await copy();
    let victim = { key: '', msgid: '' };
    let tombstoned = '';
    sqlite(d, (db) => {
      const rows = db.prepare('SELECT key, msgid FROM items ORDER BY key LIMIT 2 OFFSET 40').all() as {
        key: string;
        msgid: string;
      }[];
      victim = rows[0]!;
      tombstoned = rows[1]!.key;
    });
    const store = await openStore(d);
    try {
      const t = await deleteItemWithTombstone(store.db, tombstoned, { reason: 'retention', actor: 'test' }, Date.now());
      expect(t.entries).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
    const afterTombstone = await verify(d);
    expect(afterTombstone.report.firstBroken).toBeNull();
    sqlite(d, (db) => {
      db.prepare('DELETE FROM mailbox_entries WHERE item_key = ?').run(victim.key);
      db.prepare('DELETE FROM items WHERE key = ?').run(victim.key);
    });
    const { code, report } = await verify(d);
    expect(code).toBe(1);
    expect(report.firstBroken).toMatchObject({ kind: 'item', itemKey: victim.key, msgid: victim.msgid });
    expect(String(report.firstBroken?.reason)).toContain('without a tombstone');
  });

  it('names the place where a log event was removed', async () => {
    const d = await copy();
    sqlite(d, (db) => db.prepare('DELETE FROM ingest_log WHERE id = 50').run());
    const { code, report } = await verify(d);
    expect(code).toBe(1);
    expect(report.firstBroken).toMatchObject({ kind: 'ingest-event', eventId: 51 });
  });

  it('names the place where two log events were swapped', async () => {
    const d = await copy();
    sqlite(d, (db) => {
      const cols = 'at, kind, connector_id, ref, digest, detail_json, hash';
      const a = db.prepare(`SELECT ${cols} FROM ingest_log WHERE id = 60`).get() as Record<string, unknown>;
      const b = db.prepare(`SELECT ${cols} FROM ingest_log WHERE id = 61`).get() as Record<string, unknown>;
      const set = db.prepare(
        'UPDATE ingest_log SET at = @at, kind = @kind, connector_id = @connector_id, ref = @ref, digest = @digest, detail_json = @detail_json, hash = @hash WHERE id = @id',
      );
      set.run({ ...b, id: 60 });
      set.run({ ...a, id: 61 });
    });
    const { code, report } = await verify(d);
    expect(code).toBe(1);
    expect(report.firstBroken).toMatchObject({ kind: 'ingest-event', eventId: 60 });
  });

  it('catches the newest events removed with the head rewritten: the signed checkpoint still names them', async () => {
    const d = await copy();
    sqlite(d, (db) => {
      const last = db.prepare('SELECT max(id) AS id FROM ingest_log').get() as { id: number };
      db.prepare('DELETE FROM ingest_log WHERE id > ?').run(last.id - 5);
      const head = db.prepare('SELECT id, lower(hex(hash)) AS hash FROM ingest_log ORDER BY id DESC LIMIT 1').get() as {
        id: number;
        hash: string;
      };
      db.prepare('UPDATE ingest_head SET last_id = ?, hash = ?').run(head.id, head.hash);
    });
    const { code, report } = await verify(d);
    expect(code).toBe(1);
    const cp = (report as unknown as { problems: Record<string, unknown>[] }).problems.find(
      (p) => p.kind === 'checkpoint',
    );
    expect(cp).toMatchObject({ checkpoint: 1 });
    expect(String(cp?.reason)).toContain('is gone');
  });

  it('names a forged checkpoint: re-signed with another key and that key stored beside it', async () => {
    const d = await copy();
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    sqlite(d, (db) => {
      const row = db.prepare('SELECT id, statement FROM checkpoints ORDER BY id LIMIT 1').get() as {
        id: number;
        statement: string;
      };
      const statement = row.statement.replace(/"events":(\d+)/, (_, e: string) => `"events":${Number(e) + 1}`);
      const signature = sign(
        null,
        Buffer.from(statement),
        createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })),
      );
      db.prepare('UPDATE checkpoints SET statement = ?, signature = ?, public_key = ? WHERE id = ?').run(
        statement,
        signature.toString('base64'),
        publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        row.id,
      );
    });
    const { code, report } = await verify(d);
    expect(code).toBe(1);
    expect(report.firstBroken).toMatchObject({ kind: 'checkpoint', checkpoint: 1 });
    expect(String(report.firstBroken?.reason)).toContain('signature');
  });

  it('reports a seq gap with its range as a completeness gap', async () => {
    const d = join(dir.path, 'gap');
    const store = await openStore(d);
    try {
      const rec = (seq: string) => ({ seq, msgid: `m${seq}`, publickey_ver: 1, json: `{"seq":${seq}}` });
      await commitCapture(store.db, 'c1', [rec('1'), rec('2'), rec('3')], '3', 1000);
      await commitCapture(store.db, 'c1', [rec('7'), rec('8')], '8', 2000);
    } finally {
      await store.close();
    }
    const { code, report } = await verify(d);
    expect(code).toBe(1);
    expect(report.gaps).toEqual([{ connectorId: 'c1', from: '4', to: '6', count: 3 }]);
    expect(report.firstBroken).toMatchObject({ kind: 'seq-gap', connectorId: 'c1', from: '4', to: '6' });
  });

  it('--since checks only what was added since, and still the whole chain', async () => {
    const d = await copy();
    const future = new Date(Date.now() + 3600_000).toISOString();
    const quick = await verify(d, '--since', future);
    expect(quick.code).toBe(0);
    expect(quick.report.blobs.checked).toBe(0);
    sqlite(d, (db) => db.prepare('DELETE FROM ingest_log WHERE id = 5').run());
    const broken = await verify(d, '--since', future);
    expect(broken.code).toBe(1);
    expect(broken.report.firstBroken).toMatchObject({ kind: 'ingest-event', eventId: 6 });
  });
});

/**
 * The log as archives made before migration 034 hold it (hex text, a stored prev_hash), with
 * 034 not yet applied: the next open converts it. Such an archive has none of the later
 * migrations either (the migrator runs them in order), so their columns go too: a migration
 * added after 036 adds its undo here (as 037, 039 and 040 do).
 */
function toEarlierFormat(db: Database.Database): void {
  db.exec(`CREATE TABLE earlier ("id" integer primary key, "at" bigint not null, "kind" text not null,
      "connector_id" text not null, "ref" text not null, "digest" text not null, "detail_json" text not null,
      "prev_hash" text not null, "hash" text not null);
    INSERT INTO earlier SELECT id, at, kind, connector_id, ref, lower(hex(digest)), detail_json,
      lower(hex(coalesce(lag(hash) OVER (ORDER BY id), zeroblob(32)))), lower(hex(hash)) FROM ingest_log;
    DROP TABLE ingest_log;
    ALTER TABLE earlier RENAME TO ingest_log;
    ALTER TABLE runs DROP COLUMN owner;
    ALTER TABLE runs DROP COLUMN progress_json;
    ALTER TABLE raw_records DROP COLUMN claim_token;
    ALTER TABLE raw_records DROP COLUMN claim_owner;
    ALTER TABLE raw_records DROP COLUMN claim_until;
    ALTER TABLE export_jobs DROP COLUMN owner;
    ALTER TABLE export_jobs DROP COLUMN holder;
    ALTER TABLE export_jobs DROP COLUMN progress_json;
    DROP TABLE connector_controls;
    DROP INDEX case_exports_export_id;
    DROP INDEX case_exports_case;
    ALTER TABLE case_exports DROP COLUMN export_id;
    ALTER TABLE case_exports DROP COLUMN tags_json;
    ALTER TABLE case_exports DROP COLUMN holder;
    ALTER TABLE case_exports DROP COLUMN error;
    DELETE FROM kysely_migration WHERE name >= '034';`);
}

describe('verify after the ingest log is converted to bytes (migration 034)', () => {
  it('passes on a converted archive, its earlier checkpoint still matching the converted log', async () => {
    const d = await copy();
    let events = 0;
    sqlite(d, (db) => {
      toEarlierFormat(db);
      const r = db
        .prepare(
          'SELECT count(*) AS n, min(typeof(hash)) AS t, min(length(prev_hash)) AS p, min(prev_hash) AS first FROM ingest_log',
        )
        .get() as { n: number; t: string; p: number; first: string };
      expect(r).toMatchObject({ t: 'text', p: 64, first: '0'.repeat(64) });
      events = r.n;
    });
    const { code, report } = await verify(d);
    expect(report.firstBroken).toBeNull();
    expect(code).toBe(0);
    expect(report.ingest.events).toBe(events);
    expect(report.checkpoints.checked).toBe(1);
    sqlite(d, (db) => {
      const cols = db.prepare("SELECT name FROM pragma_table_info('ingest_log')").all() as { name: string }[];
      expect(cols.map((c) => c.name)).not.toContain('prev_hash');
      expect(db.prepare('SELECT DISTINCT typeof(hash) AS t, length(hash) AS n FROM ingest_log').all()).toEqual([
        { t: 'blob', n: 32 },
      ]);
    });
  });

  it('names an event altered before the conversion', async () => {
    const d = await copy();
    sqlite(d, (db) => {
      toEarlierFormat(db);
      db.prepare("UPDATE ingest_log SET ref = ref || 'x' WHERE id = 30").run();
    });
    const { code, report } = await verify(d);
    expect(code).toBe(1);
    expect(report.firstBroken).toMatchObject({ kind: 'ingest-event', eventId: 30 });
  });
});
