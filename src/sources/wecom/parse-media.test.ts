import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NO_ATTACHMENT } from './attachments.js';
import { parseMessage } from './parse.js';

const CORP = 'ww0123456789abcdef';
const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const parse = (raw: unknown) => parseMessage(raw, { corpId: CORP, seq: '18446744073709551615' });

describe('media message types', () => {
  it('image: a jpeg attachment named after the msgid, in a group', () => {
    const m = parse(load('image'));
    expect(m.msgtype).toBe('image');
    expect(m.content).toEqual({ kind: 'image', attachment: 0 });
    expect(m.attachments).toEqual([
      {
        sdkfileid: 'CtYBMzA2OTAyMDEwMjA0NjIwNmNjMDIwMTAwMDIwNDAw_img',
        filename: 'img-0001.jpg',
        contentType: 'image/jpeg',
        size: 70961,
        md5: '50de8e5ae8ffe4f1df7a93841f71993a',
        role: 'media',
      },
    ]);
    expect(m.roomid).toBe('wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA');
    expect(m.conversation).toEqual({ id: 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA', kind: 'group' });
    expect(m.tolist).toEqual(['lisi', 'wangwu']);
    expect(m.flags).toEqual([]);
  });

  it('voice: amr with its play length', () => {
    const m = parse(load('voice'));
    expect(m.content).toEqual({ kind: 'voice', attachment: 0, playLength: 10 });
    expect(m.attachments[0]).toMatchObject({
      sdkfileid: 'kcyZjZqOXhETGYxajB2Zkp_voice',
      filename: 'voi-0001.amr',
      contentType: 'audio/amr',
      size: 6810,
      md5: '9db09e7b002a9a19e9fe5a6a1a6b9e5c',
      role: 'media',
    });
  });

  it('video: mp4 with its play length', () => {
    const m = parse(load('video'));
    expect(m.content).toEqual({ kind: 'video', attachment: 0, playLength: 108 });
    expect(m.attachments[0]).toMatchObject({ filename: 'vid-0001.mp4', contentType: 'video/mp4', size: 15169724 });
  });

  it('emotion: type 1 is a gif, type 2 a png', () => {
    const gif = parse(load('emotion'));
    expect(gif.content).toEqual({ kind: 'emotion', attachment: 0, emotionType: 'gif', width: 240, height: 240 });
    expect(gif.attachments[0]).toMatchObject({ filename: 'emo-0001.gif', contentType: 'image/gif', size: 102400 });
    const raw = load('emotion');
    raw.emotion = { ...(raw.emotion as object), type: '2' };
    const png = parse(raw);
    expect(png.content).toMatchObject({ emotionType: 'png' });
    expect(png.attachments[0]).toMatchObject({ filename: 'emo-0001.png', contentType: 'image/png' });
    expect(png.flags).toEqual([]);
  });

  it('emotion: an unknown type is guessed as png and flagged', () => {
    const raw = load('emotion');
    raw.emotion = { ...(raw.emotion as object), type: 9 };
    const m = parse(raw);
    expect(m.content).toMatchObject({ emotionType: 'png' });
    expect(m.flags).toEqual(['incomplete-payload']);
  });

  it('file: keeps the sender file name, types it by extension, coerces a string size', () => {
    const m = parse(load('file'));
    expect(m.content).toEqual({ kind: 'file', attachment: 0, filename: '季度报告 Q3 report.xlsx' });
    expect(m.attachments[0]).toEqual({
      sdkfileid: 'CtYBMzA2OTAyMDEwMjA0NjIw_file',
      filename: '季度报告 Q3 report.xlsx',
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      size: 18192,
      md5: '18e93fc2ea884df23b3d2d3b8667b9f0',
      role: 'media',
    });
  });

  it('file: appends fileext to a bare name, names a nameless file after the msgid, defaults the type', () => {
    const bare = load('file');
    bare.file = { ...(bare.file as object), filename: 'README', fileext: 'PDF' };
    expect(parse(bare).attachments[0]).toMatchObject({ filename: 'README.pdf', contentType: 'application/pdf' });

    const nameless = load('file');
    nameless.file = { sdkfileid: 'x', fileext: 'dat' };
    const m = parse(nameless);
    expect(m.attachments[0]).toMatchObject({ filename: 'fil-0001.dat', contentType: 'application/octet-stream' });
    expect(m.flags).toEqual(['incomplete-payload']);
  });

  it('file: a path in the sender name cannot escape', () => {
    const raw = load('file');
    raw.file = { ...(raw.file as object), filename: '../..\\evil\u0000.docx' };
    const m = parse(raw);
    expect(m.attachments[0]?.filename).toBe('.._.._evil_.docx');
    expect(m.attachments[0]?.contentType).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
  });

  it('a medium without sdkfileid has no attachment and is flagged', () => {
    const raw = load('image');
    raw.image = { md5sum: 'x' };
    const m = parse(raw);
    expect(m.content).toEqual({ kind: 'image', attachment: NO_ATTACHMENT });
    expect(m.attachments).toEqual([]);
    expect(m.flags).toEqual(['incomplete-payload']);
  });

  it('meeting_voice_call: top-level voiceid, the recording, demo files and screen shares', () => {
    const m = parse(load('meeting-voice-call'));
    expect(m.content).toEqual({
      kind: 'meeting_voice_call',
      voiceId: 'grb8a4c48a3c094a70982c518d55e40557',
      attachment: 0,
      endTime: 1700300600,
      demoFiles: [{ filename: '方案 Proposal.pptx', operator: 'zhangsan', startTime: 1700300100, endTime: 1700300400 }],
      shareScreens: [{ share: 'lisi', startTime: 1700300410, endTime: 1700300500 }],
    });
    expect(m.attachments).toEqual([
      {
        sdkfileid: 'meeting_call_recording_sdkfileid',
        filename: 'mvc-0001.amr',
        contentType: 'audio/amr',
        role: 'recording',
      },
    ]);
    expect(m.flags).toEqual([]);
  });

  it('meeting_voice_call: an unrecorded call has no attachment and is not flagged', () => {
    const raw = load('meeting-voice-call');
    raw.meeting_voice_call = { endtime: 1700300600 };
    const m = parse(raw);
    expect(m.content).toMatchObject({ kind: 'meeting_voice_call', demoFiles: [], shareScreens: [] });
    expect(m.content).not.toHaveProperty('attachment');
    expect(m.attachments).toEqual([]);
    expect(m.flags).toEqual([]);
  });

  it('voip_doc_share: top-level voipid, typed by file name', () => {
    const m = parse(load('voip-doc-share'));
    expect(m.content).toEqual({
      kind: 'voip_doc_share',
      voipId: 'gr2751c98b19300571f8afb3b74514bd32',
      attachment: 0,
      filename: '报价单 Quote.pdf',
    });
    expect(m.attachments[0]).toEqual({
      sdkfileid: 'voip_doc_sdkfileid',
      filename: '报价单 Quote.pdf',
      contentType: 'application/pdf',
      size: 4400654,
      md5: 'ff893900f24e55e216e617a40e5c4648',
      role: 'media',
    });
  });
});
