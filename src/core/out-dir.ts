/**
 * Directories a command is told to write into (`export --out`, `evidence --out`, `backup --to`,
 * `restore --data-dir`), checked before any work: a path that cannot serve is refused with the
 * option and path named, why, and what to do, never with the file system's bare error at the end
 * of the work.
 */
import { readdir, stat } from 'node:fs/promises';
import { ArchiverError } from './errors.js';

/** `option path` refused: `what` it is or cannot do, the system's reason, and what to do. */
export function dirRefused(option: string, path: string, what: string, todo: string, err?: unknown): ArchiverError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why =
    err === undefined
      ? ''
      : ` (${
          code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : code === 'ENOTDIR'
              ? 'a part of its path is a file'
              : (code ?? String(err))
        })`;
  return new ArchiverError('WXA_INPUT_INVALID', `${option} ${path} ${what}${why}; ${todo}`);
}

/**
 * A directory the command makes or fills from nothing: `path` must be absent or an empty
 * directory. `todo` says what to do instead (e.g. "export into a new or empty directory").
 */
export async function checkNewDir(option: string, path: string, todo: string): Promise<void> {
  const entries = await listDir(option, path, todo);
  if (entries !== undefined && entries.length > 0) throw dirRefused(option, path, 'is not empty', todo);
}

/** A directory the command adds to (earlier backups in it): absent, or a directory it can read. */
export async function checkDirOrAbsent(option: string, path: string, todo: string): Promise<void> {
  await listDir(option, path, todo);
}

/** The directory's entries; undefined when it does not exist. */
async function listDir(option: string, path: string, todo: string): Promise<string[] | undefined> {
  try {
    return await readdir(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR' && (await stat(path).catch(() => undefined))?.isFile())
      throw dirRefused(option, path, 'is a file, not a directory', todo);
    throw dirRefused(option, path, 'cannot be read', todo, err);
  }
}
