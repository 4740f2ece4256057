import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse.js';
import { nestedMsgtype } from './parse-content.js';
import { toMillis } from './parse-nested.js';

const CORP = 'ww0123456789abcdef';
const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const parse = (raw: unknown) => parseMessage(raw, { corpId: CORP, seq: '9' });

function chatrecord(items: unknown[]): Record<string, unknown> {
  return { ...load('chatrecord'), chatrecord: { title: 't', item: items } };
}

describe('nested message types', () => {
  it('chatrecord: items parsed by type, nested media become nested attachments', () => {
    const m = parse(load('chatrecord'));
    expect(m.content).toEqual({
      kind: 'chatrecord',
      title: '张三和李四的聊天记录 Chat history of Zhang San and Li Si',
      items: [
        {
          type: 'ChatRecordText',
          time: 1699999900000,
          fromChatroom: false,
          content: { kind: 'text', text: '转发的消息 forwarded message' },
        },
        {
          type: 'ChatRecordImage',
          time: 1699999901000,
          fromChatroom: false,
          content: { kind: 'image', attachment: 0 },
        },
        {
          type: 'ChatRecordFile',
          time: 1699999902000,
          fromChatroom: false,
          content: { kind: 'file', attachment: 1, filename: '.._.._etc_合同 contract.pdf' },
        },
        {
          type: 'ChatRecordChatRecord',
          time: 1699999903000,
          fromChatroom: true,
          content: {
            kind: 'chatrecord',
            title: '内层记录 Inner record',
            items: [
              {
                type: 'ChatRecordVoice',
                time: 1699999000000,
                fromChatroom: true,
                content: { kind: 'voice', attachment: 2, playLength: 3 },
              },
            ],
          },
        },
      ],
    });
    expect(m.attachments).toEqual([
      {
        sdkfileid: 'nested_img_sdkfileid',
        filename: 'chr-0001-0.jpg',
        contentType: 'image/jpeg',
        size: 4096,
        md5: 'ab12cd34ef56ab12cd34ef56ab12cd34',
        role: 'nested',
      },
      {
        sdkfileid: 'nested_file_sdkfileid',
        filename: '.._.._etc_合同 contract.pdf',
        contentType: 'application/pdf',
        size: 2048,
        md5: '',
        role: 'nested',
      },
      {
        sdkfileid: 'deep_voice_sdkfileid',
        filename: 'chr-0001-2.amr',
        contentType: 'audio/amr',
        size: 100,
        md5: 'cc',
        role: 'nested',
      },
    ]);
    expect(m.flags).toEqual([]);
  });

  it('mixed: text and a nested image', () => {
    const m = parse(load('mixed'));
    expect(m.content).toEqual({
      kind: 'mixed',
      items: [
        { type: 'text', content: { kind: 'text', text: '看这张图 Look at this picture' } },
        { type: 'image', content: { kind: 'image', attachment: 0 } },
      ],
    });
    expect(m.attachments).toEqual([
      {
        sdkfileid: 'mixed_img_sdkfileid',
        filename: 'mix-0001-0.jpg',
        contentType: 'image/jpeg',
        size: 1234,
        md5: 'ee',
        role: 'nested',
      },
    ]);
  });

  it('accepts item content given as an object, and millisecond item times', () => {
    const m = parse(
      chatrecord([{ type: 'ChatRecordLink', msgtime: 1699999900123, content: { title: 'L', link_url: 'u' } }]),
    );
    expect(m.content).toMatchObject({
      items: [{ time: 1699999900123, content: { kind: 'link', title: 'L', url: 'u', description: '', imageUrl: '' } }],
    });
    expect(m.flags).toEqual(['incomplete-payload']);
  });

  it('keeps an unknown item type raw and flags it', () => {
    const m = parse(chatrecord([{ type: 'ChatRecordNote', content: '{"note":"笔记 note"}' }]));
    expect(m.content).toMatchObject({
      items: [
        {
          type: 'ChatRecordNote',
          content: { kind: 'unknown', msgtype: 'ChatRecordNote', payload: { note: '笔记 note' } },
        },
      ],
    });
    expect(m.flags).toEqual(['unknown-type']);
  });

  it('keeps text whose content is not JSON, and flags it', () => {
    const m = parse(
      chatrecord([
        { type: 'ChatRecordText', content: 'plain 文本' },
        { type: 'ChatRecordImage', content: '{bad' },
      ]),
    );
    expect(m.content).toMatchObject({
      items: [
        { content: { kind: 'text', text: 'plain 文本' } },
        { content: { kind: 'unknown', msgtype: 'ChatRecordImage', payload: '{bad' } },
      ],
    });
    expect(m.attachments).toEqual([]);
    expect(m.flags).toEqual(['incomplete-payload']);
  });

  it('stops recursing at a bounded depth, keeping the rest raw', () => {
    let content = JSON.stringify({ content: 'bottom' });
    let type = 'ChatRecordText';
    for (let i = 0; i < 11; i++) {
      content = JSON.stringify({ title: `level ${i}`, item: [{ type, content }] });
      type = 'ChatRecordChatRecord';
    }
    const m = parse(chatrecord([{ type, content }]));
    expect(m.flags).toEqual(['incomplete-payload']);
    expect(JSON.stringify(m.content)).toContain('"kind":"unknown"');
  });

  it('maps item type names to msgtypes', () => {
    expect(nestedMsgtype('ChatRecordText')).toBe('text');
    expect(nestedMsgtype('ChatRecordChatRecord')).toBe('chatrecord');
    expect(nestedMsgtype('chatrecord')).toBe('chatrecord');
    expect(nestedMsgtype('image')).toBe('image');
  });

  it('reads item times in seconds as milliseconds', () => {
    expect(toMillis(1603875610)).toBe(1603875610000);
    expect(toMillis(1603875610123)).toBe(1603875610123);
    expect(toMillis(undefined)).toBeUndefined();
  });
});
