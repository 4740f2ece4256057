import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textChunks, Utf8Chunks } from './text-chunks.js';

describe('textChunks', () => {
  it('gives the UTF-8 of the lines joined, in chunks that end at a line and stay near the bound (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 })), {
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 300 }),
        (lines, max) => {
          const chunks = textChunks(lines, max);
          expect(Buffer.concat(chunks).equals(Buffer.from(lines.join(''), 'utf8'))).toBe(true);
          const longest = Math.max(0, ...lines.map((l) => l.length));
          let at = 0;
          for (const c of chunks) {
            // Each chunk is whole lines: the lines it holds decode to it, and it is at most
            // the bound plus one line long.
            let chars = 0;
            let text = '';
            while (at < lines.length && Buffer.byteLength(text, 'utf8') < c.length) {
              text += lines[at]!;
              chars += lines[at++]!.length;
            }
            expect(Buffer.from(text, 'utf8').equals(c)).toBe(true);
            expect(chars).toBeLessThan(max + longest + 1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Utf8Chunks', () => {
  it('hands on the UTF-8 of the lines joined, each chunk whole lines, consumed before the next put (property)', () => {
    // lines of every size: short, around the 64 KB buffer's edge (22K characters of Chinese is
    // 66 KB of UTF-8), and longer than it; text outside the BMP (four bytes for two units)
    const line = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.constantFrom('客'.repeat(21_845), '客'.repeat(21_846), 'a'.repeat(70_000), '😀'.repeat(16_384), '\r\n'),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), fc.array(fc.boolean(), { maxLength: 60 }), (lines, flushes) => {
        const got: Buffer[] = [];
        const ends: number[] = [];
        // each chunk is copied as it is handed on: the writer reuses its buffer
        const chunks = new Utf8Chunks((c) => got.push(Buffer.from(c)));
        let bytes = 0;
        lines.forEach((l, i) => {
          chunks.put(l);
          bytes += Buffer.byteLength(l, 'utf8');
          ends.push(bytes);
          if (flushes[i]) chunks.flush();
        });
        chunks.flush();
        expect(Buffer.concat(got).equals(Buffer.from(lines.join(''), 'utf8'))).toBe(true);
        // every chunk ends where a line ends, and none is empty
        let at = 0;
        for (const c of got) {
          expect(c.length).toBeGreaterThan(0);
          at += c.length;
          expect(ends).toContain(at);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same bytes as TextChunker for a load file of Chinese rows', () => {
    const rows = Array.from({ length: 2_000 }, (_, i) => `þWXA${i}þ\u0014þ客户风险测评 ${i}þ\r\n`);
    const got: Buffer[] = [];
    const chunks = new Utf8Chunks((c) => got.push(Buffer.from(c)));
    for (const r of rows) chunks.put(r);
    chunks.flush();
    expect(Buffer.concat(got).equals(Buffer.concat(textChunks(rows)))).toBe(true);
    expect(got.length).toBeGreaterThan(1);
  });
});
