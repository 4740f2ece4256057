import { describe, expect, it } from 'vitest';
import type { Content, NestedItem } from '../core/model.js';
import { describeMessage } from './describe.js';
import { attachmentFilename } from './describe-media.js';
import { sampleCases, type SampleCase } from '../../test/helpers/render-fixtures.js';
import type { Block } from './view.js';

const base = sampleCases().find((c) => c.name === 'text') as SampleCase;

/** All text a view shows, flattened, for "does it say X" checks. */
function said(blocks: readonly Block[]): string {
  return blocks
    .map((b) => {
      switch (b.type) {
        case 'text':
        case 'pre':
        case 'notice':
          return b.text;
        case 'fields':
          return b.fields.map((f) => `${f.label}: ${f.value}`).join('\n');
        case 'list':
          return [b.title, ...b.items].join('\n');
        case 'section':
          return `${b.heading}\n${said(b.blocks)}`;
      }
    })
    .join('\n');
}

function view(content: Content, extra: Partial<SampleCase['msg']> = {}, bytes: (Buffer | undefined)[] = []) {
  return describeMessage(
    { ...base.msg, content, ...extra },
    base.ctx,
    bytes.map((b) => b?.length),
  );
}

describe('describeMessage', () => {
  it('cuts nesting deeper than eight levels with a notice instead of recursing on', () => {
    let content: Content = { kind: 'text', text: 'innermost' };
    for (let i = 0; i < 20; i++) {
      const item: NestedItem = { type: 'ChatRecordMixed', content };
      content = { kind: 'chatrecord', title: `level ${i}`, items: [item] };
    }
    const text = said(view(content).blocks);
    expect(text).toContain('Content nested deeper than 8 levels is not shown.');
    expect(text).not.toContain('innermost');
  });

  it('says so when content points at an attachment the message does not list', () => {
    expect(said(view({ kind: 'image', attachment: 3 }).blocks)).toContain(
      'Media not available (the message lists no attachment #4)',
    );
  });

  it('lists attachments no content referred to', () => {
    const attachments = [
      { sdkfileid: 'a', filename: 'used.jpg', contentType: 'image/jpeg', role: 'media' as const },
      { sdkfileid: 'b', filename: 'extra.pdf', contentType: 'application/pdf', role: 'media' as const },
      { sdkfileid: 'c', filename: 'gone.pdf', contentType: 'application/pdf', role: 'media' as const },
    ];
    const v = view({ kind: 'image', attachment: 0 }, { attachments }, [Buffer.from('x'), Buffer.from('y'), undefined]);
    const text = said(v.blocks);
    expect(text).toContain('Other attachments (其他附件)\nextra.pdf: see attachment\ngone.pdf: media not available');
    expect(text).not.toContain('used.jpg: see attachment');
  });

  it('names call types from invitetype, and unknown codes plainly', () => {
    expect(view({ kind: 'voiptext', inviteType: 3, callDuration: 5 }).summary).toBe('Group video call (5s)');
    expect(view({ kind: 'voiptext', inviteType: 9 }).summary).toBe('Call');
    expect(said(view({ kind: 'redpacket', packetType: 9, wish: '', external: false }).blocks)).toContain('code 9');
  });

  it('summarises the recalled original when it is known, and still says which message otherwise', () => {
    const known = said(view({ kind: 'revoke', preMsgid: 'fixture_text_0' }).blocks);
    expect(known).toContain('Original message (原消息): [WeChat] 张伟 Zhang Wei: 你好 Hello');
    const unknown = said(view({ kind: 'revoke', preMsgid: 'other' }).blocks);
    expect(unknown).toContain('Recalled message other');
    expect(unknown).not.toContain('Original message');
  });

  it('shows an unknown payload as pretty JSON even when it is not an object', () => {
    expect(said(view({ kind: 'unknown', msgtype: 'x', payload: undefined }).blocks)).toContain('undefined');
    expect(said(view({ kind: 'unknown', msgtype: 'x', payload: [1] }).blocks)).toContain('[\n  1\n]');
  });
});

describe('attachmentFilename', () => {
  const ref = (filename: string, contentType = 'image/jpeg') => ({
    sdkfileid: 's',
    filename,
    contentType,
    role: 'media' as const,
  });

  it('drops paths and control characters', () => {
    expect(attachmentFilename(ref('../../etc/passwd'), 0)).toBe('passwd');
    expect(attachmentFilename(ref('C:\\x\\报价.xlsx'), 0)).toBe('报价.xlsx');
    expect(attachmentFilename(ref('a\u0000b.jpg'), 0)).toBe('a b.jpg');
  });

  it('names a nameless attachment from its position and type', () => {
    expect(attachmentFilename(ref(''), 2)).toBe('attachment-3.jpeg');
    expect(attachmentFilename(ref('..', 'application/x-unknown'), 0)).toBe('attachment-1.bin');
  });
});
