import { describe, expect, it } from 'vitest';
import { sampleCases } from '../../../test/helpers/render-fixtures.js';
import { documentOfMessage, searchRowOf } from './document.js';
import { contentTexts } from './message-text.js';
import { tokenize } from './tokenize.js';

/** Every string a person wrote or named in a content, found by walking it (nested JSON included). */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') {
    if (/^[[{]/.test(v)) {
      try {
        strings(JSON.parse(v), out);
        return out;
      } catch {
        // not JSON: a plain string
      }
    }
    out.push(v);
  } else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => strings(x, out));
  return out;
}

/** Fields that are identifiers or machine values, not searchable text. */
const NOT_TEXT = new Set([
  'kind',
  'type',
  'sdkfileid',
  'preMsgid',
  'voteId',
  'voiceId',
  'voipId',
  'meetingId',
  'username',
  'imageUrl',
  'picUrl',
  'msgtype',
  'share',
  'createTime',
]);

function textValues(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(textValues);
  if (!v || typeof v !== 'object') return typeof v === 'string' ? strings(v) : [];
  return Object.entries(v).flatMap(([k, x]) => (NOT_TEXT.has(k) ? [] : textValues(x)));
}

describe('the searchable text of every message type', () => {
  for (const c of sampleCases()) {
    it(`${c.name}: every text the message carries is indexed`, () => {
      const row = searchRowOf(
        documentOfMessage(c.msg, {
          connectorId: 'c',
          people: c.ctx.people,
          ...(c.ctx.roomName ? { roomName: c.ctx.roomName } : {}),
          addressOf: c.ctx.addressOf ?? (() => undefined),
          mailboxes: [],
          recalled: false,
          attachmentTexts: [],
          unreadableAttachments: 0,
        }),
      );
      const indexed = ` ${row.tokens} `;
      for (const text of textValues(c.msg.content).filter((t) => tokenize(t).length > 0 && !/^https?:/.test(t))) {
        for (const tok of tokenize(text)) expect(indexed, `${c.name}: "${text}"`).toContain(` ${tok} `);
      }
      for (const a of c.msg.attachments) if (a.filename) expect(row.body).toContain(a.filename);
    });
  }

  it('takes the text of nested chat records and mixed messages', () => {
    const nested = sampleCases().find((c) => c.msg.content.kind === 'chatrecord')!;
    expect(contentTexts(nested.msg.content).length).toBeGreaterThan(1);
  });
});
