import { describe, expect, it } from 'vitest';
import { snippetOf } from './snippet.js';

const marked = (s: { snippet: string; highlights: Array<[number, number]> }) =>
  s.highlights.map(([a, b]) => s.snippet.slice(a, b));

describe('snippetOf', () => {
  it('highlights CJK substrings and whole words in any width or case, as written', () => {
    const s = snippetOf('这是保本理财 ＦＵＮＤ report funds Fund', ['保本', 'fund']);
    expect(marked(s)).toEqual(['保本', 'ＦＵＮＤ', 'Fund']);
  });

  it('opens the window near the first match of a long text', () => {
    const body = `${'前'.repeat(500)}关键词${'后'.repeat(500)}`;
    const s = snippetOf(body, ['关键词']);
    expect(s.snippet.startsWith('…')).toBe(true);
    expect(s.snippet.endsWith('…')).toBe(true);
    expect(marked(s)).toEqual(['关键词']);
  });

  it('keeps offsets right after characters outside the BMP', () => {
    const s = snippetOf('😀😀 保本', ['保本']);
    expect(marked(s)).toEqual(['保本']);
  });
});
