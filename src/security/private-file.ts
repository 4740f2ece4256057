/**
 * Key files kept beside the database but never in it (the master key, the evidence signing
 * key): read only when no other user can read them, created durably and exactly once even
 * when two processes start together.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDir } from '../store/blobs/local.js';

export type KeyFileError = (message: string, cause?: unknown) => Error;

/** The file's text, undefined when it does not exist; refused when its mode lets others read it. */
export async function readPrivateFile(path: string, fail: KeyFileError): Promise<string | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fail(`cannot read the key file ${path}`, err);
  }
  // Windows has no such mode bits; there the data directory's ACL is what protects the file.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw fail(
      `the key file ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
    );
  }
  return readFile(path, 'utf8');
}

/**
 * Writes a new file with mode 0600 (temp file, fsync, link, fsync of the directory). `link`
 * instead of `rename` refuses to replace a file, so two processes creating it at once end with
 * the same content: the loser reads the winner's. Returns the content that is now on disk.
 */
export async function createPrivateFile(path: string, content: string, fail: KeyFileError): Promise<string> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fail(`cannot create ${path}`, err);
    const existing = await readPrivateFile(path, fail);
    if (existing === undefined) throw fail(`cannot create ${path}`, err);
    return existing;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  await syncDir(dir);
  return content;
}
