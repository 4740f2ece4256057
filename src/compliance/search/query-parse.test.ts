import { describe, expect, it } from 'vitest';
import { ArchiverError } from '../../core/errors.js';
import { parseQuery } from './query-parse.js';

function errorOf(q: string): { position: number; expected: string; message: string } {
  try {
    parseQuery(q);
  } catch (err) {
    expect(err).toBeInstanceOf(ArchiverError);
    const e = err as ArchiverError;
    expect(e.code).toBe('WXA_SEARCH_QUERY_INVALID');
    return { ...(e.details as { position: number; expected: string }), message: e.message };
  }
  throw new Error(`"${q}" parsed`);
}

describe('parseQuery', () => {
  it('reads terms, phrases, OR, NOT, minus and groups with OR loosest', () => {
    expect(parseQuery('保本 "fund report" OR -x NOT (a b)')).toEqual({
      type: 'or',
      children: [
        {
          type: 'and',
          children: [
            { type: 'term', text: '保本', quoted: false, position: 0 },
            { type: 'term', text: 'fund report', quoted: true, position: 3 },
          ],
        },
        {
          type: 'and',
          children: [
            { type: 'not', child: { type: 'term', text: 'x', quoted: false, position: 21 } },
            {
              type: 'not',
              child: {
                type: 'and',
                children: [
                  { type: 'term', text: 'a', quoted: false, position: 28 },
                  { type: 'term', text: 'b', quoted: false, position: 30 },
                ],
              },
            },
          ],
        },
      ],
    });
  });

  it('reads every filter, quoted values and times with offsets', () => {
    expect(
      parseQuery('from:"Zhang San" after:2025-03-01T09:30+08:00 before:2025-04-01 has:attachment is:Recalled'),
    ).toEqual({
      type: 'and',
      children: [
        { type: 'filter', field: 'from', value: 'Zhang San', position: 5 },
        {
          type: 'filter',
          field: 'after',
          value: '2025-03-01T09:30+08:00',
          time: Date.UTC(2025, 2, 1, 1, 30),
          position: 23,
        },
        { type: 'filter', field: 'before', value: '2025-04-01', time: Date.UTC(2025, 3, 1), position: 53 },
        { type: 'filter', field: 'has', value: 'attachment', position: 68 },
        { type: 'filter', field: 'is', value: 'recalled', position: 82 },
      ],
    });
    expect(parseQuery('type:file')).toEqual({ type: 'filter', field: 'type', value: 'file', position: 5 });
  });

  it('treats lower-case or/and/not and unknown key:value as plain words', () => {
    expect(parseQuery('or')).toEqual({ type: 'term', text: 'or', quoted: false, position: 0 });
    expect(parseQuery('note:x')).toEqual({ type: 'term', text: 'note:x', quoted: false, position: 0 });
  });

  it('points at the place of each error and says what is expected', () => {
    expect(errorOf('')).toMatchObject({ position: 0 });
    expect(errorOf('保本 "fund')).toMatchObject({ position: 8, expected: expect.stringContaining('closing "') });
    expect(errorOf('(保本 OR 赎回')).toMatchObject({ position: 9, expected: expect.stringContaining('closing )') });
    expect(errorOf('保本 )')).toMatchObject({ position: 3 });
    expect(errorOf('保本 OR')).toMatchObject({ position: 5 });
    expect(errorOf('a NOT')).toMatchObject({ position: 5, expected: expect.stringContaining('after NOT') });
    expect(errorOf('from: x')).toMatchObject({ position: 5, expected: expect.stringContaining('a value after from:') });
    expect(errorOf('x after:2025-02-30')).toMatchObject({ position: 8, expected: expect.stringContaining('ISO 8601') });
    expect(errorOf('before:yesterday')).toMatchObject({ position: 7 });
    expect(errorOf('has:pdf')).toMatchObject({ position: 4, expected: 'has:attachment' });
    expect(errorOf('is:deleted')).toMatchObject({ position: 3, expected: 'is:recalled or is:external' });
    expect(errorOf('ok ，。')).toMatchObject({ position: 3, expected: expect.stringContaining('letters, digits') });
    expect(errorOf('x OR OR y').position).toBe(5);
  });
});
