// Names shown to a person: every Bidi_Control and control character visibly replaced, the
// rest (Chinese, emoji with their zero-width joiners) kept as they are.
import { describe, expect, it } from 'vitest';
import { safeDisplayName } from './display-name.js';

describe('safeDisplayName', () => {
  it('replaces each bidirectional control and each control character with _', () => {
    const bidi = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
    for (const cp of bidi) expect(safeDisplayName(`x${String.fromCodePoint(cp)}y`), cp.toString(16)).toBe('x_y');
    expect(safeDisplayName('a\u0000b\tc\u007fd\u0085e')).toBe('a_b_c_d_e');
  });

  it('keeps ordinary names, Chinese and emoji sequences unchanged', () => {
    for (const name of ['report.pdf', '会议纪要 2024.docx', 'family 👨\u200d👩\u200d👧.jpg', 'a b (1).txt']) {
      expect(safeDisplayName(name)).toBe(name);
    }
  });
});
