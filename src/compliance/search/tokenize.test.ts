import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD_BREAK, normalizeText, queryPhrase, runTokens, runsOf, tokenize, tokenizeFields } from './tokenize.js';

/** Characters of every class the tokenizer tells apart, and the awkward ones. */
const CHARS = [
  ...'保本基金客户理财',
  ...'テスト한국ㄅㄆ',
  '𠀀',
  '𠀁',
  ...'abcXYZ019',
  ...'ＡＢＣ１２',
  'é',
  '\u0301',
  ...' ，。!?-_@.',
  '\uD800',
  '\uDC00',
  FIELD_BREAK,
  'ß',
  'İ',
];

describe('tokenize', () => {
  it('gives a CJK run its overlapping bigrams, then its last character', () => {
    expect(tokenize('保本基金')).toEqual(['保本', '本基', '基金', '金']);
    expect(tokenize('保')).toEqual(['保']);
  });

  it('folds case and full-width forms (NFKC) and keeps Latin words and digits whole', () => {
    expect(tokenize('ＨＥＬＬＯ World 2025年Q3')).toEqual(['hello', 'world', '2025', '年', 'q3']);
  });

  it('splits on punctuation, including CJK punctuation', () => {
    expect(tokenize('客户，理财。OK!')).toEqual(['客户', '户', '理财', '财', 'ok']);
  });

  it('treats kana and Hangul as CJK', () => {
    expect(tokenize('テスト한국')).toEqual(['テス', 'スト', 'ト한', '한국', '국']);
  });

  it('gives, in one pass, exactly the tokens of the runs the query side splits text into', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CHARS), { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        expect(tokenize(text)).toEqual(runsOf(normalizeText(text)).flatMap(runTokens));
      }),
      { numRuns: 2000 },
    );
  });

  it('puts a break token between fields that no query can produce', () => {
    expect(tokenizeFields(['alpha', '', 'beta'])).toEqual(['alpha', FIELD_BREAK, 'beta']);
    expect(queryPhrase(FIELD_BREAK)).toEqual([]);
  });
});

describe('queryPhrase', () => {
  it('makes a CJK query the phrase of its bigrams, or a prefix for one character', () => {
    expect(queryPhrase('保本基金')).toEqual([
      { token: '保本', prefix: false },
      { token: '本基', prefix: false },
      { token: '基金', prefix: false },
    ]);
    expect(queryPhrase('保')).toEqual([{ token: '保', prefix: true }]);
  });

  it('keeps the last character of a CJK run the term continues after', () => {
    expect(queryPhrase('保本 fund')).toEqual([
      { token: '保本', prefix: false },
      { token: '本', prefix: false },
      { token: 'fund', prefix: false },
    ]);
  });

  it('is empty for punctuation alone', () => {
    expect(queryPhrase('，。!?')).toEqual([]);
  });
});
