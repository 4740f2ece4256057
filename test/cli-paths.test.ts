// Paths given to the CLI that are files where a directory belongs: each refused with a WXA_ code,
// the path and what to do, never with the file system's bare error.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli, tempDir } from './helpers/cli.js';

let dir: { path: string; cleanup: () => Promise<void> };
let file: string;

beforeAll(async () => {
  dir = await tempDir('cli-paths');
  file = join(dir.path, 'a-file');
  await writeFile(file, 'not a directory\n');
});

afterAll(async () => {
  await dir.cleanup();
});

it('a data directory that is a file, or lies under one', async () => {
  for (const dataDir of [file, join(file, 'below')]) {
    const r = await cli('status', '--data-dir', dataDir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: WXA_CONFIG_INVALID: data directory ${dataDir} is a file, or lies under one; point --data-dir (or dataDir, or WXA_DATA_DIR) at a directory\n`,
    );
  }
});

it('a sandbox tenant that is a file', async () => {
  const r = await cli('run', '--once', '--sandbox', file, '--data-dir', join(dir.path, 'data'));
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(
    `WXA_CONFIG_NOT_FOUND: ${file} is not a sandbox tenant (no tenant.json); generate one first`,
  );
});
