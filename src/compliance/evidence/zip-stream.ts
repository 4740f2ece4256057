/**
 * Files on disk as one zip, produced chunk by chunk as the reader pulls (fflate's streaming
 * Zip and ZipDeflate), so that a download never holds the whole archive in memory. `Readable.from`
 * pulls only as fast as the client reads, and stops the generator (running its cleanup) when
 * the client goes away.
 */
import { createReadStream } from 'node:fs';
import { Zip, ZipDeflate } from 'fflate';

/** Read size: small enough that little is buffered per file, large enough to deflate well. */
const READ_BYTES = 64 * 1024;

export async function* zipFiles(files: readonly { name: string; path: string }[]): AsyncGenerator<Uint8Array> {
  const queue: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else queue.push(chunk);
  });
  const drain = function* (): Generator<Uint8Array> {
    if (failure) throw failure;
    while (queue.length > 0) yield queue.shift()!;
  };
  for (const f of files) {
    const entry = new ZipDeflate(f.name, { level: 6 });
    zip.add(entry);
    for await (const chunk of createReadStream(f.path, { highWaterMark: READ_BYTES })) {
      entry.push(chunk as Buffer);
      yield* drain();
    }
    entry.push(new Uint8Array(0), true);
    yield* drain();
  }
  zip.end();
  yield* drain();
}
