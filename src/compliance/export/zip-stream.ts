/**
 * An export directory as a zip, streamed: files are read one after the other as the client
 * takes the bytes (yazl pumps each file only when the previous one is written), so neither the
 * zip nor the export is ever held in memory, whatever the export's size. ZIP64 is used when the
 * sizes need it (yazl decides per entry), so exports past 4 GB or 65,535 files open everywhere.
 */
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import { journalDir } from './journal.js';

/** The files of an export (the journal left out), depth first, in name order per folder. */
export async function* exportFiles(root: string, rel = ''): AsyncGenerator<string> {
  const names: { name: string; dir: boolean }[] = [];
  for await (const e of await opendir(join(root, rel))) names.push({ name: e.name, dir: e.isDirectory() });
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of names) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (join(root, path) === journalDir(root)) continue;
    if (e.dir) yield* exportFiles(root, path);
    else if (!e.name.endsWith('.part')) yield path;
  }
}

/** A readable zip of `root`, its entries under `prefix/`. Errors end the stream with the error. */
export function zipExport(root: string, prefix: string): NodeJS.ReadableStream {
  const zip = new ZipFile();
  void (async () => {
    try {
      for await (const path of exportFiles(root)) zip.addFile(join(root, path), `${prefix}/${path}`);
      zip.end();
    } catch (err) {
      zip.emit('error', err);
    }
  })();
  zip.on('error', (err: Error) => (zip.outputStream as unknown as { destroy(e: Error): void }).destroy(err));
  return zip.outputStream;
}
