// A msgid the source sends again: an identical replay is a counted duplicate, a different
// message under the same msgid is held as `conflicting-duplicate` with both versions kept, and
// the run's counters still add up. End to end through the CLI against a sandbox tenant.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorRunReport } from '../src/pipeline/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { writeSandboxConfig } from './helpers/sandbox-config.js';
import { appendDecrypted } from './helpers/sandbox-replay.js';

const MSGIDS = 5;
/** per msgid: the first version, two identical replays, and this many different bodies */
const CONFLICTS_PER_MSGID = 3;

let dir: { path: string; cleanup: () => Promise<void> };
let config: string;

function text(msgid: string, content: string, at: number): Record<string, unknown> {
  return {
    msgid,
    action: 'send',
    from: 'zhangsan',
    tolist: ['lisi'],
    roomid: '',
    msgtime: at,
    msgtype: 'text',
    text: { content },
  };
}

beforeAll(async () => {
  dir = await tempDir('conflict');
  const lines: Record<string, unknown>[] = [];
  const t0 = Date.UTC(2026, 0, 5, 9, 0, 0);
  for (let i = 0; i < MSGIDS; i++) lines.push(text(`reused-${i}`, `original body ${i}`, t0 + i * 1000));
  // Replays come later in the stream (new seq), some identical and some with other content.
  for (let i = 0; i < MSGIDS; i++) {
    lines.push(text(`reused-${i}`, `original body ${i}`, t0 + i * 1000));
    for (let k = 0; k < CONFLICTS_PER_MSGID; k++)
      lines.push(text(`reused-${i}`, `a different body ${i}/${k}`, t0 + i * 1000));
    lines.push(text(`reused-${i}`, `original body ${i}`, t0 + i * 1000));
  }
  lines.push(text('unique-1', 'an ordinary message', t0 + 99_000));
  const gen = await cli('sandbox', 'generate', '--out', join(dir.path, 'tenant'), '--seed', '9', '--messages', '0');
  expect(gen.code, gen.stderr).toBe(0);
  await appendDecrypted(join(dir.path, 'tenant'), lines);
  config = join(dir.path, 'config.json');
  await writeSandboxConfig(config, {
    dataDir: join(dir.path, 'data'),
    id: 'replays',
    sandbox: join(dir.path, 'tenant'),
    mapping: { autoFromDirectoryEmail: false, catchAll: 'compliance@example.com' },
  });
});

afterAll(async () => {
  await dir.cleanup();
});

type Report = ConnectorRunReport;

describe('a reused msgid', () => {
  const total = MSGIDS * (3 + CONFLICTS_PER_MSGID) + 1;
  const conflicts = MSGIDS * CONFLICTS_PER_MSGID;
  const replays = MSGIDS * 2;

  it('holds different content, counts identical replays as duplicates, and adds up', async () => {
    const r = await cliJson<Report>('run', '--once', '--config', config);
    expect(r.status).toBe('succeeded');
    expect(r.fetched).toBe(total);
    expect(r.archived + r.heldTotal + r.failed).toBe(r.fetched);
    expect(r.failed).toBe(0);
    expect(r.held['conflicting-duplicate']).toBe(conflicts);
    expect(r.duplicates).toBe(replays);
    expect(r.archived).toBe(MSGIDS + 1 + replays);

    const db = new Database(join(dir.path, 'data', 'archive.db'), { readonly: true });
    try {
      const statuses = Object.fromEntries(
        (
          db.prepare('SELECT status, count(*) AS n FROM raw_records GROUP BY status').all() as {
            status: string;
            n: number;
          }[]
        ).map((x) => [x.status, x.n]),
      );
      expect(statuses).toEqual({ done: MSGIDS + 1, duplicate: replays, held: conflicts });
      // The archived versions are the first ones, unchanged.
      const items = db
        .prepare("SELECT msgid, model_json FROM items WHERE msgid LIKE 'reused-%' ORDER BY msgid")
        .all() as {
        msgid: string;
        model_json: string;
      }[];
      expect(items.map((i) => i.msgid)).toEqual([...Array(MSGIDS).keys()].map((i) => `reused-${i}`));
      for (const [i, it] of items.entries()) expect(it.model_json).toContain(`original body ${i}`);
      // Every conflicting version: its raw record kept, one open hold naming the archived item
      // and the blob of its own rendering, which holds its own body.
      const holds = db
        .prepare(
          `SELECT h.item_key, h.code, h.detail, r.record_json FROM holds h JOIN raw_records r ON r.id = h.raw_id
           WHERE h.reason = 'conflicting-duplicate' AND h.released_at IS NULL`,
        )
        .all() as { item_key: string; code: string; detail: string; record_json: string }[];
      expect(holds).toHaveLength(conflicts);
      const bodies = new Set<string>();
      for (const h of holds) {
        expect(h.item_key).toMatch(/:reused-\d$/);
        expect(h.code).toBe('WXA_CONFLICTING_DUPLICATE');
        expect(h.record_json.length).toBeGreaterThan(0);
        const sha = /blob ([0-9a-f]{64})/.exec(h.detail)?.[1];
        expect(sha, h.detail).toBeDefined();
        const blob = db.prepare('SELECT data FROM blobs WHERE sha256 = ?').get(sha) as { data: Buffer } | undefined;
        const body = /a different body \d\/\d/.exec(blob!.data.toString('utf8'))?.[0];
        expect(body).toBeDefined();
        bodies.add(body!);
      }
      expect(bodies.size).toBe(conflicts);
    } finally {
      db.close();
    }
  });

  it('shows the conflicts in status and in the report', async () => {
    const s = await cliJson<{ connectors: { holds: { reason: string; records: number; whatToDo: string }[] }[] }>(
      'status',
      '--config',
      config,
    );
    const h = s.connectors[0]!.holds.find((x) => x.reason === 'conflicting-duplicate');
    expect(h?.records).toBe(conflicts);
    expect(h?.whatToDo).toContain('both versions are kept');
    const report = await cliJson<{ problems: { itemId: string; reason: string }[] }>(
      'report',
      '--since',
      '2000-01-01',
      '--config',
      config,
    );
    const listed = report.problems.filter((p) => p.reason === 'conflicting-duplicate');
    expect(listed).toHaveLength(conflicts);
    expect(new Set(listed.map((p) => p.itemId))).toEqual(new Set([...Array(MSGIDS).keys()].map((i) => `reused-${i}`)));
  });

  it('reaches the same outcome when the held versions are evaluated again', async () => {
    const db = new Database(join(dir.path, 'data', 'archive.db'));
    db.prepare("UPDATE raw_records SET status = 'pending' WHERE status IN ('held', 'duplicate')").run();
    db.close();
    const r = await cliJson<Report>('run', '--once', '--config', config);
    expect(r.fetched).toBe(conflicts + replays);
    expect(r.held['conflicting-duplicate']).toBe(conflicts);
    expect(r.duplicates).toBe(replays);
    expect(r.archived + r.heldTotal + r.failed).toBe(r.fetched);
  });
});
