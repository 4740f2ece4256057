// The search page's pure parts: highlights cut a snippet into runs exactly at the server's
// offsets (a Chinese hit stays whole), and the filter form writes the same query string the
// box shows, replacing its own terms and leaving negated or grouped ones alone.
import { describe, expect, it } from 'vitest';
import { highlightSegments } from '../../web/src/pages/search/highlight.js';
import { filterValue, hasFlag, withFilter, withFlag } from '../../web/src/pages/search/query-filters.js';

describe('highlightSegments', () => {
  it('cuts at the given offsets and marks only the hits', () => {
    expect(highlightSegments('客户问能不能保本保息，我说不能。', [[6, 10]])).toEqual([
      { text: '客户问能不能', hit: false },
      { text: '保本保息', hit: true },
      { text: '，我说不能。', hit: false },
    ]);
  });

  it('joins overlapping ranges, drops empty or outside ones, and keeps every character once', () => {
    const text = 'alpha beta gamma';
    const out = highlightSegments(text, [
      [6, 10],
      [0, 5],
      [8, 12],
      [20, 30],
      [3, 3],
    ]);
    expect(out.map((s) => s.text).join('')).toBe(text);
    expect(out.filter((s) => s.hit).map((s) => s.text)).toEqual(['alpha', 'beta g']);
  });
});

describe('filter form <-> query string', () => {
  it('adds, replaces and removes a filter, quoting values with spaces', () => {
    let q = '保本 OR "fixed return"';
    q = withFilter(q, 'from', 'Zhang San');
    expect(q).toBe('保本 OR "fixed return" from:"Zhang San"');
    expect(filterValue(q, 'from')).toBe('Zhang San');
    q = withFilter(q, 'from', 'lisi');
    expect(q).toBe('保本 OR "fixed return" from:lisi');
    q = withFilter(q, 'after', '2025-03-01');
    expect(filterValue(q, 'after')).toBe('2025-03-01');
    expect(withFilter(q, 'from', '')).toBe('保本 OR "fixed return" after:2025-03-01');
  });

  it('leaves negated and grouped filters as typed', () => {
    const q = '-from:bot (from:a OR from:b) text';
    expect(filterValue(q, 'from')).toBe('');
    expect(withFilter(q, 'from', 'c')).toBe('-from:bot (from:a OR from:b) text from:c');
  });

  it('switches flags on and off', () => {
    let q = 'contract';
    q = withFlag(q, 'attachment', true);
    q = withFlag(q, 'recalled', true);
    expect(q).toBe('contract has:attachment is:recalled');
    expect(hasFlag(q, 'recalled')).toBe(true);
    expect(hasFlag(q, 'external')).toBe(false);
    expect(withFlag(q, 'attachment', false)).toBe('contract is:recalled');
  });
});
