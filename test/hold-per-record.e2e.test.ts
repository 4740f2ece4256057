// A message to a group of 10,000 unmapped employees makes ONE hold, listing them all, not 10,000
// rows; status and the problems queries still see every person, and the record is re-evaluated
// and delivered to each once the mapping covers them. End to end through the CLI.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { writeSandboxConfig } from './helpers/sandbox-config.js';
import { appendDecrypted } from './helpers/sandbox-replay.js';

const MEMBERS = 10_000;
const members = Array.from({ length: MEMBERS }, (_, i) => `emp${String(i).padStart(5, '0')}`);
let dir: { path: string; cleanup: () => Promise<void> };
let config: string;

async function writeConfig(mapped: string[]): Promise<void> {
  await writeFile(
    join(dir.path, 'mapping.csv'),
    ['userid,mailbox', ...mapped.map((m) => `${m},${m}@example.com`)].join('\n') + '\n',
  );
  await writeSandboxConfig(config, {
    dataDir: join(dir.path, 'data'),
    id: 'big',
    sandbox: join(dir.path, 'tenant'),
    mapping: { csv: 'mapping.csv', autoFromDirectoryEmail: false },
  });
}

beforeAll(async () => {
  dir = await tempDir('bighold');
  const gen = await cli('sandbox', 'generate', '--out', join(dir.path, 'tenant'), '--seed', '2', '--messages', '0');
  expect(gen.code, gen.stderr).toBe(0);
  const t = Date.UTC(2026, 0, 7, 10, 0, 0);
  await appendDecrypted(join(dir.path, 'tenant'), [
    // the sender is mapped, the 10,000 members are not: archived for the sender, held for them
    {
      msgid: 'all-hands-1',
      action: 'send',
      from: 'boss',
      tolist: members,
      roomid: 'wrAllHands',
      msgtime: t,
      msgtype: 'text',
      text: { content: 'hello all' },
    },
    // nobody is mapped: held as a whole
    {
      msgid: 'all-hands-2',
      action: 'send',
      from: members[0],
      tolist: members.slice(1, 20),
      roomid: 'wrSmall',
      msgtime: t + 1000,
      msgtype: 'text',
      text: { content: 'reply' },
    },
  ]);
  config = join(dir.path, 'config.json');
  await writeConfig(['boss']);
}, 120_000);

afterAll(async () => {
  await dir.cleanup();
});

function holdRows(): { raw_id: number; reason: string; participants: string | null; released_at: number | null }[] {
  const db = new Database(join(dir.path, 'data', 'archive.db'), { readonly: true });
  try {
    return db.prepare('SELECT raw_id, reason, participants, released_at FROM holds ORDER BY id').all() as ReturnType<
      typeof holdRows
    >;
  } finally {
    db.close();
  }
}

describe('holds of a message with 10,000 participants', () => {
  it('are one row per record, listing every unmapped participant', async () => {
    const r = await cliJson<{ archived: number; held: Record<string, number>; unmappedParticipants: number }>(
      'run',
      '--once',
      '--config',
      config,
    );
    expect(r.archived).toBe(1);
    expect(r.held.unmapped).toBe(1);
    expect(r.unmappedParticipants).toBe(MEMBERS);
    const rows = holdRows();
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((h) => h.raw_id)).size).toBe(2);
    expect(JSON.parse(rows[0]!.participants!)).toEqual(members);
    expect(JSON.parse(rows[1]!.participants!)).toEqual(members.slice(0, 20));

    const s = await cliJson<{
      connectors: {
        holds: { reason: string; records: number; archivedPartly: number; participants: number }[];
        unmapped: { participant: string; items: number }[];
      }[];
    }>('status', '--config', config);
    const c = s.connectors[0]!;
    // One record held, one archived for its sender without the members' mailboxes: not two held.
    expect(c.holds.find((h) => h.reason === 'unmapped')).toMatchObject({
      records: 1,
      archivedPartly: 1,
      participants: MEMBERS,
    });
    // the people in both messages come first, each counted once per record
    expect(c.unmapped.slice(0, 20).map((u) => u.items)).toEqual(Array(20).fill(2));
    expect(c.unmapped[20]?.items).toBe(1);

    const report = await cliJson<{ problems: { itemId: string; reason: string; detail: string }[] }>(
      'report',
      '--since',
      '2000-01-01',
      '--config',
      config,
    );
    const big = report.problems.find((p) => p.itemId === 'all-hands-1');
    expect(big?.detail).toBe(
      `${MEMBERS} participants map to no mailbox: ${members.slice(0, 10).join(', ')} and ${MEMBERS - 10} more`,
    );
  }, 300_000);

  it('are re-evaluated when the mapping changes, and the item reaches every mailbox', async () => {
    await writeConfig(['boss', ...members]);
    const r = await cliJson<{ released: { unmapped: number }; held: Record<string, number>; deliveries: number }>(
      'run',
      '--once',
      '--config',
      config,
    );
    expect(r.released.unmapped).toBe(2);
    expect(r.held.unmapped ?? 0).toBe(0);
    // New mailbox entries only: the sender's copy of all-hands-1 was made by the first run.
    expect(r.deliveries).toBe(MEMBERS + 20);
    expect(holdRows().filter((h) => h.released_at === null)).toEqual([]);
    const db = new Database(join(dir.path, 'data', 'archive.db'), { readonly: true });
    try {
      const n = db.prepare("SELECT count(*) AS n FROM mailbox_entries WHERE item_key LIKE '%:all-hands-1'").get() as {
        n: number;
      };
      expect(n.n).toBe(MEMBERS + 1);
    } finally {
      db.close();
    }
  }, 300_000);
});
