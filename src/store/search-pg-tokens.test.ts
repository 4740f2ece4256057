import { describe, expect, it } from 'vitest';
import { FIELD_BREAK, tokenizeFields } from '../compliance/search/tokenize.js';
import { FIELD_BREAK_TOKEN, lexemeOf, pgTextQuery, pgTokenRow } from './search-pg-tokens.js';

describe('our tokens as PostgreSQL full-text values', () => {
  it('uses the tokenizer’s field break', () => {
    expect(FIELD_BREAK_TOKEN).toBe(FIELD_BREAK);
  });

  it('writes positions, leaving a gap at a field break so no phrase spans two fields', () => {
    const tokens = tokenizeFields(['保本 fund', 'fund']).join(' ');
    expect(pgTokenRow(tokens)).toEqual({ vector: "'保本':1 '本':2 'fund':3,5", overflow: null });
  });

  it('keeps a document beyond tsvector’s limits as text, with its distinct tokens to find it by', () => {
    const many = Array.from({ length: 300 }, () => 'fund').join(' ');
    expect(pgTokenRow(many)).toEqual({ vector: "'fund'", overflow: many });
    const long = Array.from({ length: 17_000 }, (_, i) => `w${i % 7}`).join(' ');
    expect(pgTokenRow(long).overflow).toBe(long);
    const word = 'x'.repeat(3000);
    expect(pgTokenRow(word)).toEqual({ vector: `'${'x'.repeat(256)}…'`, overflow: word });
  });

  it('marks a document whose distinct tokens pass 1 MiB, for every text query to verify', () => {
    const distinct = Array.from({ length: 120_000 }, (_, i) => `token${i}`).join(' ');
    expect(pgTokenRow(distinct)).toEqual({ vector: "'\uE001'", overflow: distinct });
  });

  it('shortens a long token the same way in a query and quotes every lexeme', () => {
    expect(lexemeOf('y'.repeat(300))).toBe('y'.repeat(256) + '…');
    expect(
      pgTextQuery([
        { token: '保本', prefix: false },
        { token: '本', prefix: true },
      ]),
    ).toEqual({
      candidates: "('保本' & '本':*) | '\uE001'",
      all: "'保本' & '本':*",
      phrase: "'保本' <-> '本':*",
      verify: ' 保本 本[^ ]* ',
      single: false,
    });
    expect(pgTextQuery([{ token: "it's", prefix: false }]).all).toBe("'it''s'");
    expect(pgTextQuery([{ token: 'y'.repeat(300), prefix: false }]).single).toBe(false);
  });
});
