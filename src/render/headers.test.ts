import { describe, expect, it } from 'vitest';
import { encodePhrase, encodeText, formatAddress, headerLine, itemIds, messageIdFor, threadIdFor } from './headers.js';

describe('ids', () => {
  it('derives a stable Message-ID from the item key alone', () => {
    const id = messageIdFor('wecom:ww1:abc');
    expect(id).toMatch(/^<[0-9a-f]{32}@wechat-archiver\.invalid>$/);
    expect(messageIdFor('wecom:ww1:abc')).toBe(id);
    expect(messageIdFor('wecom:ww1:abd')).not.toBe(id);
  });

  it('threads per conversation and per corp, never colliding with message ids', () => {
    const t = threadIdFor('single:a:b', 'ww1');
    expect(t).toMatch(/^<[0-9a-f]{32}@wechat-archiver\.invalid>$/);
    expect(threadIdFor('single:a:b', 'ww1')).toBe(t);
    expect(threadIdFor('single:a:b', 'ww2')).not.toBe(t);
    expect(threadIdFor('single:a:c', 'ww1')).not.toBe(t);
    expect(threadIdFor('x')).not.toBe(messageIdFor('x'));
  });

  it('gives boundary seeds that differ per key, beside the same Message-ID', () => {
    expect(itemIds('k1')).toEqual({
      messageId: messageIdFor('k1'),
      boundarySeed: expect.stringMatching(/^[0-9a-f]{24}$/),
    });
    expect(itemIds('k1').boundarySeed).not.toBe(itemIds('k2').boundarySeed);
  });
});

describe('encodeText', () => {
  it('keeps plain ASCII readable', () => {
    expect(encodeText('[WeChat] Li Si: hello')).toBe('[WeChat] Li Si: hello');
  });

  it('encodes non-ASCII, controls, odd spacing and encoded-word look-alikes', () => {
    for (const v of ['张伟', 'a\tb', ' lead', 'trail ', 'a  b', '=?UTF-8?B?x?=']) {
      expect(encodeText(v)).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=( =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=)*$/);
    }
  });

  it('splits into encoded-words of at most 75 characters holding whole characters', () => {
    const value = '😀中a'.repeat(40);
    const words = encodeText(value).split(' ');
    expect(words.length).toBeGreaterThan(1);
    let decoded = '';
    for (const w of words) {
      expect(w.length).toBeLessThanOrEqual(75);
      const bytes = Buffer.from(w.slice(10, -2), 'base64');
      // each word is valid UTF-8 on its own
      expect(Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)).toBe(true);
      decoded += bytes.toString('utf8');
    }
    expect(decoded).toBe(value);
  });

  it('encodes a word too long for one line instead of writing it as is', () => {
    expect(encodeText('x'.repeat(901)).startsWith('=?UTF-8?B?')).toBe(true);
    expect(encodeText('x'.repeat(900))).toBe('x'.repeat(900));
  });
});

describe('addresses and phrases', () => {
  it('quotes ASCII names, escaping quotes and backslashes', () => {
    expect(formatAddress('Li "Si" \\ (+86)', 'a@b.invalid')).toBe('"Li \\"Si\\" \\\\ (+86)" <a@b.invalid>');
  });

  it('encodes non-ASCII names', () => {
    expect(encodePhrase('张伟')).toBe(`=?UTF-8?B?${Buffer.from('张伟').toString('base64')}?=`);
  });
});

describe('headerLine', () => {
  it('leaves short lines alone', () => {
    expect(headerLine('X-A', 'b')).toBe('X-A: b\r\n');
  });

  it('folds before spaces at 76 characters and unfolds to the same value', () => {
    const value = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const line = headerLine('Subject', value);
    const lines = line.slice(0, -2).split('\r\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(76);
    for (const l of lines.slice(1)) expect(l.startsWith(' ')).toBe(true);
    expect(lines.join('')).toBe(`Subject: ${value}`);
  });

  it('keeps an unbreakable token whole on its own line', () => {
    const token = 'y'.repeat(200);
    const lines = headerLine('X-Id', `a ${token} b`).slice(0, -2).split('\r\n');
    expect(lines).toEqual(['X-Id: a', ` ${token}`, ' b']);
  });
});
