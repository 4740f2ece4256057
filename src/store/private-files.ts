/**
 * The data directory holds regulated communications: it, `blobs/` and everything under them are
 * private to the service's user (directories 0700, files 0600) whatever the umask, because an
 * umask of 022 would otherwise leave the database and every message readable by any local
 * account. Modes are set explicitly (mkdir/open mode, then chmod) rather than by changing the
 * process umask, which would also change files the operator asked for elsewhere (exports).
 */
import { constants } from 'node:fs';
import { chmod, mkdir, open, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents up to it) as private directories; an existing one is left as it is. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) return;
  // mkdir's mode is filtered by the umask: chmod each directory this call created.
  let created = first;
  await chmod(created, PRIVATE_DIR_MODE);
  for (const part of relative(first, dir).split(sep).filter(Boolean)) {
    created = join(created, part);
    await chmod(created, PRIVATE_DIR_MODE);
  }
}

/** Creates an empty private file if it does not exist (so that SQLite opens it rather than making it 0644). */
export async function ensurePrivateFile(path: string): Promise<void> {
  await ensurePrivateDir(dirname(path));
  try {
    const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, PRIVATE_FILE_MODE);
    try {
      await fh.chmod(PRIVATE_FILE_MODE);
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

export interface LooseMode {
  path: string;
  /** the mode found, e.g. 0o755 */
  mode: number;
  /** the mode it should have */
  wanted: number;
}

/**
 * The data directory's own entries that other local users can read or enter: the directory,
 * `blobs/`, the database with its WAL and shared-memory files, and the master key. Checked at
 * start so that an archive created by an older version or copied with loose modes is reported.
 */
export async function looseModes(dataDir: string): Promise<LooseMode[]> {
  const out: LooseMode[] = [];
  const check = async (path: string, wanted: number) => {
    const s = await stat(path).catch(() => undefined);
    if (s && (s.mode & 0o077) !== 0) out.push({ path, mode: s.mode & 0o777, wanted });
  };
  await check(dataDir, PRIVATE_DIR_MODE);
  await check(join(dataDir, 'blobs'), PRIVATE_DIR_MODE);
  for (const f of ['archive.db', 'archive.db-wal', 'archive.db-shm', 'master.key'])
    await check(join(dataDir, f), PRIVATE_FILE_MODE);
  return out;
}

/** One line per loose entry, saying what to run. */
export function describeLooseModes(found: LooseMode[]): string[] {
  return found.map(
    (l) =>
      `${l.path} is mode ${l.mode.toString(8).padStart(4, '0')}: other local users can read it; ` +
      `run \`chmod ${l.wanted.toString(8)} ${l.path}\``,
  );
}
