import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { renderMime } from './index.js';
import { sampleCases, type SampleCase } from '../../test/helpers/render-fixtures.js';

const base = sampleCases().find((c) => c.name === 'text') as SampleCase;

const chinese = fc.string({ unit: fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCodePoint(c)) });
const controls = fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) });
const surrogates = fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) });
const breaks = fc.constantFrom('\n', '\r\n', '\r', '\n\n', ' \n', '\t\r\n', '  ');
const longLine = fc
  .tuple(fc.constantFrom('a', '中', '😀', ' ', '=', '-', '.'), fc.integer({ min: 500, max: 3000 }))
  .map(([s, n]) => s.repeat(n));
/** Everything a chat text can hold: any code point (lone surrogates too), controls, CR/LF mixes, long lines. */
const chatText = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      chinese,
      controls,
      surrogates,
      breaks,
      longLine,
    ),
    {
      maxLength: 8,
    },
  )
  .map((parts) => parts.join(''));

/** What a mail client must show: UTF-8 can't hold lone surrogates (U+FFFD), and text line breaks are canonical. */
function expectedText(text: string): string {
  return Buffer.from(text, 'utf8')
    .toString('utf8')
    .replace(/\r\n|\r|\n/g, '\n');
}

describe('renderMime with arbitrary text', () => {
  it('parses back to the same text, in lines of at most 998 octets', async () => {
    await fc.assert(
      fc.asyncProperty(chatText, async (text) => {
        const msg = { ...base.msg, content: { kind: 'text' as const, text } };
        const raw = renderMime(msg, base.ctx);
        for (const line of raw.toString('latin1').split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
        const parsed = await simpleParser(raw);
        expect(parsed.text).toContain(expectedText(text));
        expect(parsed.subject?.startsWith('[WeChat] 张伟 Zhang Wei: ')).toBe(true);
        // eslint-disable-next-line no-control-regex -- the subject must carry no control characters
        expect(parsed.subject).not.toMatch(/[\u0000-\u001f]/);
        expect(parsed.headers.get('x-wechat-msgid')).toBe(msg.msgid);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps any display name and room name intact through the headers', async () => {
    const name = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1 }), chinese, fc.string({ minLength: 1 }));
    const nameWithControls = fc.oneof(
      name,
      fc.tuple(name, controls, name).map((p) => p.join('')),
    );
    await fc.assert(
      fc.asyncProperty(nameWithControls, name, async (sender, room) => {
        fc.pre(sender.trim() !== '' && room.trim() !== '');
        const ctx = {
          ...base.ctx,
          people: (id: string) =>
            id === 'zhangwei' ? { id, kind: 'internal' as const, name: sender } : base.ctx.people(id),
          addressOf: () => undefined,
          roomName: () => room,
        };
        const raw = renderMime({ ...base.msg, roomid: 'wrX', conversation: { id: 'wrX', kind: 'group' } }, ctx);
        for (const line of raw.toString('latin1').split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
        const parsed = await simpleParser(raw);
        expect(parsed.from?.value[0]?.name).toBe(sender.trim());
        expect(parsed.from?.value[0]?.address).toBe('zhangwei@user.wechat-archiver.invalid');
        expect(parsed.text).toContain(`Conversation (会话): ${room.trim()} (group chat)`);
      }),
      { numRuns: 150 },
    );
  });
});
