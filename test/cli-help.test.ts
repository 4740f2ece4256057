// Golden --help of every command: the CLI is an interface others script against, so a change
// to it must be deliberate (UPDATE_GOLDEN=1 rewrites the file after review).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, emptyArchive, tempDir } from './helpers/cli.js';

const COMMANDS = [
  [],
  ['serve'],
  ['run'],
  ['status'],
  ['report'],
  ['mailbox', 'list'],
  ['mailbox', 'show'],
  ['item', 'show'],
  ['connector', 'check'],
  ['mapping', 'check'],
  ['sandbox', 'generate'],
  ['audit', 'verify'],
  ['export'],
  ['export', 'list'],
  ['config', 'schema'],
];

describe('wechat-archiver --help', () => {
  it('matches the golden help of every command', async () => {
    const parts: string[] = [];
    for (const c of COMMANDS) {
      const r = await cli(...c, '--help');
      expect(r.code, c.join(' ')).toBe(0);
      parts.push(`$ wechat-archiver ${[...c, '--help'].join(' ')}\n${r.stdout}`);
    }
    const text = parts.join('\n');
    const golden = join(import.meta.dirname, 'golden', 'cli-help.txt');
    if (process.env.UPDATE_GOLDEN === '1') {
      await mkdir(join(import.meta.dirname, 'golden'), { recursive: true });
      await writeFile(golden, text);
    }
    expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
    expect(text).toBe(await readFile(golden, 'utf8'));
  });

  it('matches the golden JSON Schema of the configuration file', async () => {
    const r = await cli('config', 'schema');
    expect(r.code).toBe(0);
    const golden = join(import.meta.dirname, 'golden', 'config.schema.json');
    if (process.env.UPDATE_GOLDEN === '1') await writeFile(golden, r.stdout);
    expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
    expect(r.stdout).toBe(await readFile(golden, 'utf8'));
  });

  it('exits 2 with a clear message for a run without --once or a connector', async () => {
    const r = await cli('run');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--once');
  });

  it('reports an unknown msgid clearly', async () => {
    const dir = await tempDir('help');
    try {
      await emptyArchive(dir.path);
      const r = await cli('item', 'show', 'no-such-id', '--data-dir', dir.path);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no archived item has msgid no-such-id');
    } finally {
      await dir.cleanup();
    }
  });
});
