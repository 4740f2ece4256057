/**
 * Makes a file's written bytes durable by path (open read-only, fsync, close): for files written
 * by another library (SQLite's online backup, a copy) whose handle we never held.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, constants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
