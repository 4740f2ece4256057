import type { FileHandle } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeAllTo } from './write-util.js';

/** A file handle whose every writev stores at most `most` bytes, as a short write does. */
function shortWriting(most: number) {
  const written: Buffer[] = [];
  const fh = {
    writev: async (buffers: Buffer[]) => {
      const all = Buffer.concat(buffers).subarray(0, most);
      written.push(Buffer.from(all));
      return { bytesWritten: all.length, buffers };
    },
  } as unknown as FileHandle;
  return { fh, bytes: () => Buffer.concat(written) };
}

describe('writeAllTo', () => {
  it('writes every byte in order when each write stores only part of what it was given (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 40 }),
        async (pieces, most) => {
          const bufs = pieces.map((p) => Buffer.from(p));
          const f = shortWriting(most);
          await writeAllTo(f.fh, bufs);
          expect(f.bytes().equals(Buffer.concat(bufs))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
