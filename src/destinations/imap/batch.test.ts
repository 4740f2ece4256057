// How a batch is cut into MULTIAPPEND commands, and how the server's APPENDUID uid-set maps
// back to the messages in order.
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, CHUNK_ITEMS, chunksOf } from './batch.js';
import { expandUidSet } from './multiappend.js';

describe('chunksOf', () => {
  const idx = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('cuts at the item count and keeps the order', () => {
    const chunks = chunksOf(idx(250), () => 1000, true);
    expect(chunks.map((c) => c.length)).toEqual([CHUNK_ITEMS, CHUNK_ITEMS, 250 - 2 * CHUNK_ITEMS]);
    expect(chunks.flat()).toEqual(idx(250));
  });

  it('cuts at the byte budget; an item larger than it goes alone', () => {
    const sizes = [CHUNK_BYTES / 2, CHUNK_BYTES / 2, 1, CHUNK_BYTES * 3, 5];
    expect(chunksOf(idx(5), (i) => sizes[i]!, true)).toEqual([[0, 1], [2], [3], [4]]);
  });

  it('sends one message a command when the server has no MULTIAPPEND', () => {
    expect(chunksOf(idx(3), () => 10, false)).toEqual([[0], [1], [2]]);
  });
});

describe('expandUidSet', () => {
  it('expands ranges and single UIDs in order', () => {
    expect(expandUidSet('5:7,9')).toEqual([5, 6, 7, 9]);
    expect(expandUidSet('12')).toEqual([12]);
    // RFC 3501 allows a range written high to low.
    expect(expandUidSet('7:5')).toEqual([5, 6, 7]);
  });

  it('refuses anything else rather than guessing', () => {
    expect(expandUidSet('5:*')).toBeUndefined();
    expect(expandUidSet('a')).toBeUndefined();
    expect(expandUidSet('1:999999999')).toBeUndefined();
  });
});
