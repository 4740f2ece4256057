import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textChunks } from './text-chunks.js';

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
