// Every string of the canonical model is well-formed UTF-16 (so it can be written as UTF-8),
// whatever lone surrogates the decrypted JSON carries, at any depth: top-level fields, nested
// chat-record JSON, unknown payloads and object keys. Fixtures of every msgtype are the seeds.
import { readdirSync, readFileSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse.js';

const FIXTURES = readdirSync(new URL('./fixtures/', import.meta.url))
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8')) as unknown);

/** Strings that include lone high and low surrogates as well as valid pairs. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('\ud800', '\udfff', 'a\udc00b', '\ud83d', '\ude00\ud83d', '\ud83d\ude00'),
);

/** Appends the i-th nasty string to every string leaf (and key), recursing into strings that hold JSON. */
function infect(v: unknown, extras: string[], i = { n: 0 }): unknown {
  const next = () => extras[i.n++ % extras.length] ?? '';
  if (typeof v === 'string') {
    if (v.startsWith('{') || v.startsWith('[')) {
      try {
        return JSON.stringify(infect(JSON.parse(v) as unknown, extras, i));
      } catch {
        // not JSON after all: treat as text
      }
    }
    return v + next();
  }
  if (Array.isArray(v)) return v.map((x) => infect(x, extras, i));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      // msgid, msgtype and action keep their names so the message stays a message of its type
      const key = ['msgid', 'msgtype', 'action'].includes(k) || k in out ? k : k + next();
      out[key in out ? k : key] = infect(x, extras, i);
    }
    return out;
  }
  return v;
}

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      strings(x, out);
    }
  return out;
}

describe('parseMessage and lone surrogates', () => {
  it('writes only well-formed text and leaves the input untouched', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURES), fc.array(nasty, { minLength: 1, maxLength: 8 }), (fixture, extras) => {
        const raw = infect(fixture, extras);
        const before = JSON.stringify(raw);
        const msg = parseMessage(raw, { corpId: 'ww1', seq: '7' });
        for (const s of strings(msg)) {
          expect(s.isWellFormed(), JSON.stringify(s)).toBe(true);
          expect(isUtf8(Buffer.from(s, 'utf8'))).toBe(true);
        }
        // The model as stored (model_json) reads back well-formed too.
        for (const s of strings(JSON.parse(JSON.stringify(msg)))) expect(s.isWellFormed()).toBe(true);
        // Repairs are flagged; a message that needed none is not (a lone surrogate in a field the
        // model does not carry changes nothing, so it need not be flagged).
        if (strings(raw).every((s) => s.isWellFormed())) expect(msg.flags).not.toContain('cleaned-text');
        expect(JSON.stringify(raw)).toBe(before);
      }),
      { numRuns: 300 },
    );
  });

  it('replaces each lone surrogate with U+FFFD and keeps valid pairs', () => {
    const msg = parseMessage(
      {
        msgid: 'm\ud800',
        action: 'send',
        from: 'a\udc00',
        tolist: ['b'],
        msgtime: 1,
        msgtype: 'text',
        text: { content: 'x\ud83d\ude00\ud83dy' },
      },
      { corpId: 'ww1', seq: '1' },
    );
    expect(msg.msgid).toBe('m\ufffd');
    expect(msg.key).toBe('wecom:ww1:m\ufffd');
    expect(msg.from).toBe('a\ufffd');
    expect(msg.content).toEqual({ kind: 'text', text: 'x\ud83d\ude00\ufffdy' });
    expect(msg.flags).toEqual(['cleaned-text']);
  });
});
