// The directories commands write into are checked before any work, and refused with the option,
// the path, why and what to do; never with the file system's bare error.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiverError } from './errors.js';
import { checkDirOrAbsent, checkNewDir } from './out-dir.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'out-dir-'));
  await mkdir(join(root, 'empty'));
  await mkdir(join(root, 'busy'));
  await writeFile(join(root, 'busy', 'notes.txt'), 'mine\n');
  await writeFile(join(root, 'a-file'), 'not a directory\n');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const TODO = 'write into a new or empty directory';

async function refusal(check: Promise<void>): Promise<string> {
  const err = await check.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ArchiverError);
  expect((err as ArchiverError).code).toBe('WXA_INPUT_INVALID');
  return (err as Error).message;
}

describe('checkNewDir', () => {
  it('takes a path that does not exist yet, or an empty directory', async () => {
    await expect(checkNewDir('--out', join(root, 'new', 'deeper'), TODO)).resolves.toBeUndefined();
    await expect(checkNewDir('--out', join(root, 'empty'), TODO)).resolves.toBeUndefined();
  });

  it('refuses a directory holding files, a file, and a path under a file, saying which and what to do', async () => {
    expect(await refusal(checkNewDir('--out', join(root, 'busy'), TODO))).toBe(
      `--out ${join(root, 'busy')} is not empty; ${TODO}`,
    );
    expect(await refusal(checkNewDir('--out', join(root, 'a-file'), TODO))).toBe(
      `--out ${join(root, 'a-file')} is a file, not a directory; ${TODO}`,
    );
    expect(await refusal(checkNewDir('--to', join(root, 'a-file', 'x'), TODO))).toBe(
      `--to ${join(root, 'a-file', 'x')} cannot be read (a part of its path is a file); ${TODO}`,
    );
  });
});

describe('checkDirOrAbsent', () => {
  it('takes a directory with files in it (earlier backups) or a new path; refuses a file', async () => {
    await expect(checkDirOrAbsent('--to', join(root, 'busy'), TODO)).resolves.toBeUndefined();
    await expect(checkDirOrAbsent('--to', join(root, 'new'), TODO)).resolves.toBeUndefined();
    expect(await refusal(checkDirOrAbsent('--to', join(root, 'a-file'), TODO))).toBe(
      `--to ${join(root, 'a-file')} is a file, not a directory; ${TODO}`,
    );
  });
});
