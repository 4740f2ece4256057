// The files an export wrote (path relative to its directory -> bytes), leaving out its journal.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { expect } from 'vitest';

export async function exportedFiles(root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const rel = relative(root, join(e.parentPath, e.name));
    if (rel.startsWith('.export')) continue;
    out.set(rel, await readFile(join(root, rel)));
  }
  return out;
}

/**
 * A resumed export equals an uninterrupted one: the same paths, every file byte for byte, and
 * the same manifest but for the start time and export id, which each export records for itself.
 */
export async function expectSameExport(whole: string, resumed: string): Promise<void> {
  const a = await exportedFiles(whole);
  const b = await exportedFiles(resumed);
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [p, bytes] of a) {
    if (p === 'manifest.json') continue;
    expect(b.get(p)!.equals(bytes), p).toBe(true);
  }
  const norm = (m: Buffer) => ({ ...(JSON.parse(m.toString('utf8')) as object), startedAt: '', exportId: '' });
  expect(norm(b.get('manifest.json')!)).toEqual(norm(a.get('manifest.json')!));
}
