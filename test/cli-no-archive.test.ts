// A data directory that holds no archive: the commands that read or change an archive refuse it,
// naming it and what makes one, and leave nothing there (before, each made an empty archive and
// answered for it: a search found nothing, a status showed no runs). The commands that set an
// archive up before its first run (a case, a hold, a policy; a connector's check) still make it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli, tempDir } from './helpers/cli.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('no-archive');
});
afterAll(async () => {
  await dir.cleanup();
});

const READERS: string[][] = [
  ['status'],
  ['report'],
  ['mailbox', 'list'],
  ['item', 'show', 'm1'],
  ['search', 'hello'],
  ['reindex'],
  ['verify'],
  ['audit', 'verify'],
  ['case', 'list'],
  ['case', 'show', '1'],
  ['hold', 'list'],
  ['retention', 'list'],
  ['retention', 'run'],
  ['supervision', 'list'],
  ['supervision', 'queue'],
  ['export', '--query', 'hello', '--format', 'eml', '--out', 'OUT'],
  ['export', 'list'],
];

it.each(READERS.map((args) => [args.join(' '), args]))(
  '%s refuses a data directory without an archive and makes none',
  async (_name, args) => {
    const dataDir = join(dir.path, args.join('-').replace(/[^a-z0-9-]/gi, '_'));
    const out = join(dir.path, `out-${args[0]}`);
    const r = await cli(...args.map((a) => (a === 'OUT' ? out : a)), '--data-dir', dataDir);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toContain(`WXA_CONFIG_NOT_FOUND: `);
    expect(r.stderr).toContain(`${dataDir} holds no archive (no archive.db)`);
    expect(existsSync(join(dataDir, 'archive.db'))).toBe(false);
    expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);
    expect(existsSync(out)).toBe(false);
  },
);

it('names what makes an archive', async () => {
  const dataDir = join(dir.path, 'named');
  const r = await cli('status', '--data-dir', dataDir);
  expect(r.stderr).toBe(
    `error: WXA_CONFIG_NOT_FOUND: ${dataDir} holds no archive (no archive.db); name an existing archive with --data-dir, --config or --database (\`run\` or \`serve\` makes a new one, \`restore\` brings one back from a backup)\n`,
  );
});

it('a case and a hold can be set up before the first run: the archive is made for them', async () => {
  const dataDir = join(dir.path, 'setup');
  const made = await cli('case', 'create', 'Before the first run', '--data-dir', dataDir);
  expect(made.code, made.stderr).toBe(0);
  expect(existsSync(join(dataDir, 'archive.db'))).toBe(true);
  // said, so a mistyped data directory is seen at once
  expect(made.stderr).toBe(`note: ${dataDir} held no archive; made a new one there\n`);
  const hold = await cli(
    'hold',
    'add',
    '--case',
    made.stdout.trim(),
    '--custodian',
    'a@example.com',
    '--data-dir',
    dataDir,
  );
  expect(hold.code, hold.stderr).toBe(0);
  expect(hold.stderr).toBe('');
  const listed = await cli('hold', 'list', '--data-dir', dataDir, '--json');
  expect(listed.code, listed.stderr).toBe(0);
  expect(JSON.stringify(JSON.parse(listed.stdout))).toContain('a@example.com');
});
