// The files an export wrote (path relative to its directory -> bytes), leaving out its journal.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

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
