import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isArchiverError } from '../../core/errors.js';
import { parseLexicon } from './lexicon.js';

function errorOf(fn: () => unknown): { message: string; code: string; line: unknown } {
  try {
    fn();
  } catch (err) {
    if (isArchiverError(err)) return { message: err.message, code: err.code, line: err.details?.['line'] };
    throw err;
  }
  throw new Error('no error');
}

describe('parseLexicon', () => {
  it('reads one term a line, skips comments and blanks, keeps each term once', () => {
    const text =
      '\uFEFF# header\n保本\n\n  guaranteed   return  # inline note\nGUARANTEED RETURN\n#comment\nC# code\r\n';
    expect(parseLexicon(text, 'f.txt')).toEqual(['保本', 'guaranteed return', 'C# code']);
  });

  it('names the file and line of a term with nothing to match', () => {
    const e = errorOf(() => parseLexicon('保本\n---\n', 'my.txt'));
    expect(e.code).toBe('WXA_SUPERVISION_LEXICON_INVALID');
    expect(e.message).toMatch(/^my\.txt:2: "---" has no letters/);
    expect(e.line).toBe(2);
  });

  it('refuses a pasted paragraph, naming its line', () => {
    const e = errorOf(() => parseLexicon(`a\nb\n${'x'.repeat(201)}\n`, 'long.txt'));
    expect(e.message).toMatch(/^long\.txt:3: the term is 201 characters/);
  });

  it('the starter lexicon parses, with Chinese and English terms of every kind asked for', () => {
    const terms = parseLexicon(
      readFileSync(new URL('../../../lexicons/starter-financial.txt', import.meta.url), 'utf8'),
    );
    for (const t of [
      '保本',
      '保证收益',
      '稳赚不赔',
      '内幕消息',
      '加我微信',
      'guaranteed return',
      'risk-free',
      'off the record',
      'delete this message',
    ])
      expect(terms).toContain(t);
    expect(terms.length).toBeGreaterThan(60);
  });
});
