import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64LineBlocks, base64Lines, base64LinesInto, base64LinesLength, base64LinesOf } from './base64-lines.js';

/** RFC 2045 lines the plain way: the whole encoding cut into 76 characters, each line ended by CRLF. */
function reference(data: Buffer): Buffer {
  const text = data.toString('base64');
  let out = '';
  for (let p = 0; p < text.length; p += 76) out += text.slice(p, p + 76) + '\r\n';
  return Buffer.from(out, 'latin1');
}

async function* chunks(data: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (const c of cuts) {
    const end = Math.min(data.length, at + c);
    yield data.subarray(at, end);
    at = end;
  }
  if (at < data.length) yield data.subarray(at);
}

describe('base64Lines', () => {
  it('gives the plain encoding cut into CRLF lines, whatever the length (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const data = Buffer.from(bytes);
        expect(base64Lines(data).equals(reference(data))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same bytes for a medium several hundred lines long, and from a view into a larger buffer', () => {
    const big = Buffer.from(Array.from({ length: 57 * 700 + 13 }, (_, i) => (i * 131 + 7) & 0xff));
    expect(base64Lines(big).equals(reference(big))).toBe(true);
    const view = big.subarray(5, 57 * 300 + 2);
    expect(base64Lines(view).equals(reference(Buffer.from(view)))).toBe(true);
  });

  it('gives the same bytes across the blocks it encodes at a time (1,024 lines each), at and around their edges', () => {
    const block = 57 * 1024;
    for (const n of [block - 1, block, block + 1, block + 56, block + 57, 3 * block, 3 * block + 40, 250_001]) {
      const data = Buffer.from(Array.from({ length: n }, (_, i) => (i * 193 + 11) & 0xff));
      expect(base64Lines(data).equals(reference(data)), `${n} bytes`).toBe(true);
      // the same lines as blocks of at most 1,024 lines each, end to end
      const blocks = base64LineBlocks(data);
      expect(Buffer.concat(blocks).equals(reference(data)), `${n} bytes in blocks`).toBe(true);
      expect(Math.max(...blocks.map((b) => b.length))).toBeLessThanOrEqual(78 * 1024);
      expect(blocks.length).toBe(Math.ceil(n / block));
    }
  });

  it('into a reused buffer: the same bytes and length, one input after another, nothing past them touched (property)', () => {
    // one buffer for every input, as an export encodes each chunk of a medium into its thread's own
    const out = Buffer.alloc(base64LinesLength(3 * 57 * 1024 + 100) + 8);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 * 57 * 1024 + 100 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 255 }),
        (lengths, seed) => {
          for (const n of lengths) {
            const data = Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + seed) & 0xff));
            const expected = reference(data);
            expect(base64LinesLength(n)).toBe(expected.length);
            out.fill(0xaa, expected.length);
            const end = base64LinesInto(data, out);
            expect(end).toBe(expected.length);
            expect(out.subarray(0, end).equals(expected)).toBe(true);
            expect(out.subarray(end).every((b) => b === 0xaa)).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives the same bytes when the input arrives in chunks of any size (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 1500 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 10 }),
        async (bytes, cuts) => {
          const data = Buffer.from(bytes);
          const parts: Buffer[] = [];
          for await (const b of base64LinesOf(chunks(data, cuts))) parts.push(b);
          expect(Buffer.concat(parts).equals(reference(data))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
