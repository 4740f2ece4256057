import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { isArchiverError } from '../core/errors.js';
import type { ContentKind } from '../core/model.js';
import { addressFor, messageIdFor, renderMime, threadIdFor } from './index.js';
import { sampleCases, type SampleCase } from '../../test/helpers/render-fixtures.js';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Every content kind; a Record so the compiler fails here when the model grows a kind. */
const ALL_KINDS: Record<ContentKind, true> = {
  text: true, image: true, revoke: true, agree: true, disagree: true, voice: true, video: true, card: true,
  location: true, emotion: true, file: true, link: true, weapp: true, chatrecord: true, todo: true, vote: true,
  collect: true, redpacket: true, meeting: true, meeting_notification: true, docmsg: true, markdown: true,
  news: true, calendar: true, mixed: true, meeting_voice_call: true, voip_doc_share: true, voiptext: true,
  sphfeed: true, qydiskfile: true, switch: true, unknown: true,
}; // prettier-ignore

/** What each case's text/plain body must say: the content, in words a reviewer reads. */
const NEEDLES: Record<string, string[]> = {
  text: ['你好 Hello,\nthe contract is attached.\n\tIndented line & <b>not bold</b>'],
  'text-group-recalled': [
    'This message was recalled by the sender at 2024-03-05 14:04:37 UTC',
    '会议改到明天下午三点。',
    'a'.repeat(1200),
  ],
  image: ['Image (图片)', 'see attachment "image.jpg" (300 bytes)'],
  'image-expired': ['Media not available (expired at the source (WeCom error 10010))', '86.1 KB (88,123 bytes)'],
  revoke: ['Recalled message fixture_text_0', 'Original message (原消息): [WeChat] 张伟 Zhang Wei: 你好 Hello'],
  agree: ['王芳@华东贸易 (+8613700137000) agreed to have conversations archived'],
  disagree: ['declined to have conversations archived', 'When (时间): 2024-03-05 14:03:02 UTC'],
  voice: ['Voice message (语音)', 'Duration (时长): 12s', 'see attachment "voice.amr"'],
  video: ['Duration (时长): 2m 05s', 'see attachment "video.mp4"'],
  card: ['Contact card (名片)', 'Company (企业): 华东贸易', 'User id: wmAbCdEf123'],
  location: [
    '人民广场',
    '上海市黄浦区人民大道200号',
    '31.2304, 121.4737',
    'https://uri.amap.com/marker?position=121.4737,31.2304',
  ],
  emotion: ['Sticker (表情)', 'Format: GIF', '240 × 240 px'],
  file: ['2024年第一季度销售合同（最终版）-华东区域-签字扫描件.pdf', 'see attachment'],
  link: ['Quarterly report', 'https://example.com/report?q=1&x=2', 'Q1 numbers <draft>'],
  weapp: ['Mini program (小程序)', '报销审批', 'gh_abcdef123456@app'],
  chatrecord: [
    '张伟和王芳的聊天记录',
    '1. Text message (文本) [ChatRecordText], 2024-03-05 13:03:07 UTC',
    '    Price is ¥1,200 per unit.',
    '        内层消息\n        second line',
    'from a group chat',
  ],
  todo: ['To-do (待办)', 'Send the quote', 'Before Friday\n- price'],
  vote: ['Team lunch?', '  - Hotpot 火锅', 'Started a vote (发起投票) [101]'],
  collect: ['Shipping addresses', '  - 1. Name (Text)', '  - 2. Quantity (Number)'],
  redpacket: ['External red packet (互通红包)', '¥1,234.56', 'Lucky draw (拼手气红包) [2]', '恭喜发财'],
  meeting: [
    'Contract review',
    'Start (开始): 2024-03-06 04:40:00 UTC (2024-03-06 12:40:00 Asia/Shanghai)',
    'Attending (参加会议) [1]',
  ],
  meeting_notification: ['会议即将开始 The meeting starts in 5 minutes'],
  docmsg: ['合同草稿', 'https://doc.weixin.qq.com/doc/abc', 'Creator (创建人): 张伟 Zhang Wei (+8613800138000)'],
  markdown: ['# Build **passed**\n> <script>alert(1)</script>'],
  news: ['1. Release 1.2', '2. 发布说明', 'https://example.com/1.2.png'],
  calendar: ['Site visit', '  - 王芳', 'Place (地点): 浦东'],
  mixed: ['See the photo:', '2. Image (图片) [image]', 'see attachment "photo.jpg"'],
  meeting_voice_call: [
    'Call recording (通话录音)',
    'slides.pptx shared by 张伟 Zhang Wei (+8613800138000)',
    'Li Si (+8613900139000): 2024-03-05 14:16:40 UTC',
    '(5m 00s)',
  ],
  voip_doc_share: ['Document shared in a call', 'price list.xlsx', 'voip-1'],
  voiptext: ['Voice call (语音通话)', 'Duration (时长): 2m 05s'],
  sphfeed: ['Channels post (视频号)', '华东贸易官方', 'Video (视频) [4]'],
  qydiskfile: ['WeDrive file (微盘文件)', '报价单.xlsx'],
  switch: ['switched to another enterprise account'],
  unknown: [
    'Unknown message type solitaire — raw content below',
    '"title": "接龙"',
    '      {\n        "nested": true\n      }',
  ],
};

/** Subjects of a few kinds, in full: the line people see in their mailbox. */
const SUBJECTS: Record<string, string> = {
  voiptext: '[WeChat] 张伟 Zhang Wei: Voice call (2m 05s)',
  revoke: '[WeChat] 张伟 Zhang Wei: Recalled message',
  image: '[WeChat] 张伟 Zhang Wei: Image',
  todo: '[WeChat] 项目 Alpha 群 | 张伟 Zhang Wei: To-do: Send the quote',
  unknown: '[WeChat] 张伟 Zhang Wei: Unknown message type solitaire',
  'text-group-recalled': `[WeChat] 项目 Alpha 群 | 张伟 Zhang Wei: ${'会议改到明天下午三点。'.repeat(6).slice(0, 60)}…`,
};

/** How each sample participant must appear in From/To. */
function expectedMailbox(id: string): { name: string; address: string } {
  const names: Record<string, string> = {
    zhangwei: '张伟 Zhang Wei (+8613800138000)',
    lisi: 'Li Si (+8613900139000)',
    wmAbCdEf123: '王芳@华东贸易 (+8613700137000)',
    wbBuildBot: 'Build bot',
  };
  const address = id === 'zhangwei' ? 'zhang.wei@example.com' : addressFor({ id });
  return { name: names[id] ?? id, address };
}

function addresses(obj: AddressObject | AddressObject[] | undefined): { name: string; address?: string }[] {
  return (Array.isArray(obj) ? obj : obj ? [obj] : []).flatMap((o) => o.value);
}

const cases = sampleCases();
const rendered = new Map<string, Buffer>(cases.map((c) => [c.name, renderMime(c.msg, c.ctx)]));
const parse = (c: SampleCase): Promise<ParsedMail> => simpleParser(rendered.get(c.name) as Buffer);

describe('renderMime samples', () => {
  it('cover every content kind, and every case has its expectations', () => {
    const kinds = new Set(cases.map((c) => c.msg.content.kind));
    expect([...kinds].sort()).toEqual(Object.keys(ALL_KINDS).sort());
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(NEEDLES).sort());
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s matches its golden file', (name, c) => {
    const file = join(GOLDEN_DIR, `${name}.eml`);
    const out = rendered.get(c.name) as Buffer;
    if (UPDATE) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, out);
    }
    expect(existsSync(file), `${file} is missing; run with UPDATE_GOLDEN=1`).toBe(true);
    expect(out.equals(readFileSync(file)), `${name}.eml differs; review, then UPDATE_GOLDEN=1`).toBe(true);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s renders byte-identically twice', (_name, c) => {
    expect(renderMime(c.msg, c.ctx).equals(renderMime(c.msg, c.ctx))).toBe(true);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s has CRLF lines of at most 998 octets', (_name, c) => {
    const raw = (rendered.get(c.name) as Buffer).toString('latin1');
    expect(raw.endsWith('\r\n')).toBe(true);
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    // Header lines stay within RFC 5322's recommended 78 wherever a space allows folding.
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    for (const line of head.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    // 7bit only: everything non-ASCII went through encoded-words, quoted-printable or base64.
    expect(/^[\t\x20-\x7e\r\n]*$/.test(raw)).toBe(true);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s parses back with mailparser', async (name, c) => {
    const p = await parse(c);
    const { msg } = c;
    expect(p.messageId).toBe(messageIdFor(msg.key));
    expect(p.date?.getTime()).toBe(Math.floor(msg.time / 1000) * 1000);
    expect(p.inReplyTo).toBe(threadIdFor(msg.conversation.id, msg.corpId));
    expect(p.references).toBe(threadIdFor(msg.conversation.id, msg.corpId));

    expect(addresses(p.from)).toEqual([expectedMailbox(msg.from)]);
    if (msg.tolist.length) expect(addresses(p.to)).toEqual(msg.tolist.map(expectedMailbox));
    else expect(addresses(p.to)).toEqual([{ name: 'undisclosed-recipients', group: [] }]);

    expect(p.subject?.startsWith('[WeChat] ')).toBe(true);
    if (SUBJECTS[name]) expect(p.subject).toBe(SUBJECTS[name]);
    if (msg.roomid) {
      expect(p.subject).toContain('项目 Alpha 群');
      expect(p.headers.get('x-wechat-roomid')).toBe(msg.roomid);
    } else {
      expect(p.headers.has('x-wechat-roomid')).toBe(false);
    }

    expect(p.headers.get('x-wechat-msgid')).toBe(msg.msgid);
    expect(p.headers.get('x-wechat-seq')).toBe(msg.seq);
    expect(p.headers.get('x-wechat-msgtype')).toBe(msg.msgtype);
    expect(p.headers.get('x-wechat-action')).toBe(msg.action);
    expect(p.headers.get('x-wechat-corp')).toBe(msg.corpId);
    expect(p.headers.get('x-wechat-item-key')).toBe(msg.key);
    expect(p.headers.get('auto-submitted')).toBe('auto-generated');
    const flags = [...msg.flags, ...(c.ctx.recalledAt !== undefined ? ['recalled'] : [])];
    expect(p.headers.get('x-wechat-flags')).toBe(flags.length ? flags.join(', ') : undefined);

    const text = p.text ?? '';
    for (const needle of NEEDLES[name] ?? []) expect(text).toContain(needle);
    expect(text).toContain('2024-03-05');
    expect(text).toContain('Asia/Shanghai');
    expect(typeof p.html).toBe('string');
    const html = p.html as string;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|href="javascript:/i);

    const expected = msg.attachments.flatMap((ref, i) => {
      const data = c.ctx.attachmentBytes(i);
      return data ? [{ data, ref }] : [];
    });
    expect(p.attachments).toHaveLength(expected.length);
    p.attachments.forEach((a, i) => {
      const want = expected[i];
      expect(a.filename).toBe(want?.ref.filename);
      expect(a.contentType).toBe(want?.ref.contentType);
      expect(a.contentDisposition).toBe('attachment');
      expect(a.content.equals(want?.data as Buffer)).toBe(true);
    });
  });

  it('escapes HTML and links only http(s) URLs', async () => {
    const link = cases.find((c) => c.name === 'link') as SampleCase;
    const html = (await parse(link)).html as string;
    expect(html).toContain('Q1 numbers &lt;draft&gt;');
    expect(html).toContain('<a href="https://example.com/report?q=1&amp;x=2">');
    expect(html).toContain('javascript:alert(1)');
    expect(html).not.toContain('href="javascript');
    const markdown = (await parse(cases.find((c) => c.name === 'markdown') as SampleCase)).html as string;
    expect(markdown).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('shows the recall banner only when the item was recalled', async () => {
    const recalled = await parse(cases.find((c) => c.name === 'text-group-recalled') as SampleCase);
    expect(recalled.html).toContain('This message was recalled by the sender at');
    const plain = await parse(cases.find((c) => c.name === 'text') as SampleCase);
    expect(plain.text).not.toContain('recalled');
  });

  it('refuses a time no Date header can carry, with a coded error', () => {
    const c = cases[0] as SampleCase;
    for (const time of [Number.NaN, -1, 3e14]) {
      try {
        renderMime({ ...c.msg, time }, c.ctx);
        expect.unreachable();
      } catch (err) {
        expect(isArchiverError(err, 'WXA_RENDER_FAILED')).toBe(true);
      }
    }
  });

  it('refuses a mapped mailbox that is not a plain address', () => {
    const c = cases[0] as SampleCase;
    expect(() => renderMime(c.msg, { ...c.ctx, addressOf: () => 'Zhang <zw@example.com>' })).toThrow(/fix the mapping/);
  });
});
