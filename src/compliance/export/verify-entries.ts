/**
 * The entries of an export's manifest as verify-export reads them, and the checks each takes
 * before it is trusted: the manifest comes from the directory under check, so nothing in it is
 * taken on faith (a path that leads out of the directory, a hash that is not one).
 */
import { lstatSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';

export interface FileEntry {
  path: string;
  sha256: string;
  bytes: number;
}

export interface ItemEntry {
  itemKey: string;
  mimeSha256: string;
  path: string;
}

/** Where a manifest path is in `dir`, or undefined for one that leads out of it. */
export function inside(dir: string, path: string): string | undefined {
  if (typeof path !== 'string' || path === '' || isAbsolute(path) || path.includes('\0')) return undefined;
  const abs = join(dir, path);
  const rel = relative(dir, abs);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? undefined : abs;
}

/** Where a manifest path is in `dir` when a regular file is there, else undefined. */
export function fileInside(dir: string, path: string): string | undefined {
  const abs = inside(dir, path);
  return abs && lstatSync(abs, { throwIfNoEntry: false })?.isFile() ? abs : undefined;
}

export const isSha256 = (s: unknown): s is string => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
export const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
export const isItemEntry = (i: ItemEntry): boolean =>
  typeof i.itemKey === 'string' && isSha256(i.mimeSha256) && typeof i.path === 'string';
