/**
 * Hand-built messages of every content kind (nested and unknown included) with a small
 * directory and fake attachment bytes: the inputs of the renderer's golden files, and a
 * ready sample for anyone who needs a realistic ChatMessage in a test.
 */
import {
  conversationOf,
  itemKey,
  MODEL_VERSION,
  type AttachmentRef,
  type ChatMessage,
  type Content,
  type Person,
} from '../../src/core/model.js';
import type { RenderContext } from '../../src/render/context.js';

export const SAMPLE_CORP = 'wwcorp0001';
/** 2024-03-05 14:03:07.123 UTC: milliseconds on purpose, mail Date headers carry seconds. */
export const SAMPLE_TIME = 1_709_647_387_123;
export const SAMPLE_ROOM = 'wrRoomAlpha01';

export const SAMPLE_PEOPLE: Person[] = [
  {
    id: 'zhangwei',
    kind: 'internal',
    name: '张伟 Zhang Wei',
    mobile: '+8613800138000',
    email: 'zhang.wei@example.com',
  },
  { id: 'lisi', kind: 'internal', name: 'Li Si', mobile: '+8613900139000' },
  { id: 'wmAbCdEf123', kind: 'external', name: '王芳', corpName: '华东贸易', mobile: '+8613700137000' },
  { id: 'wbBuildBot', kind: 'robot', name: 'Build bot' },
];

/** Mapped mailboxes: only Zhang Wei has one; everyone else gets a generated address. */
const MAILBOXES: Record<string, string> = { zhangwei: 'zhang.wei@example.com' };

/** A deterministic pseudo-binary payload (every byte value appears), standing in for media. */
export function fakeBytes(label: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  const seed = Buffer.from(label, 'utf8');
  for (let i = 0; i < size; i++) out[i] = ((seed[i % seed.length] as number) * 31 + i * 7) & 0xff;
  return out;
}

export interface SampleCase {
  /** golden file name (without `.eml`): the content kind, or kind-variant */
  name: string;
  msg: ChatMessage;
  ctx: RenderContext;
}

interface CaseSpec {
  name: string;
  content: Content;
  attachments?: AttachmentRef[];
  /** bytes per attachment index; undefined = not fetched */
  bytes?: (Buffer | undefined)[];
  group?: boolean;
  from?: string;
  tolist?: string[];
  msgtype?: string;
  action?: ChatMessage['action'];
  flags?: ChatMessage['flags'];
  recalledAt?: number;
}

function ref(
  sdkfileid: string,
  filename: string,
  contentType: string,
  size: number,
  role: AttachmentRef['role'] = 'media',
): AttachmentRef {
  return { sdkfileid, filename, contentType, size, md5: '0123456789abcdef0123456789abcdef', role };
}

function build(spec: CaseSpec, index: number): SampleCase {
  const from = spec.from ?? 'zhangwei';
  const roomid = spec.group ? SAMPLE_ROOM : '';
  const tolist = spec.tolist ?? (spec.group ? ['lisi', 'wmAbCdEf123', 'wbBuildBot'] : ['wmAbCdEf123']);
  const msgid = `fixture_${spec.name}_${index}`;
  const msg: ChatMessage = {
    modelVersion: MODEL_VERSION,
    key: itemKey(SAMPLE_CORP, msgid),
    corpId: SAMPLE_CORP,
    msgid,
    seq: String(9_007_199_254_740_993n + BigInt(index)),
    action: spec.action ?? 'send',
    msgtype: spec.msgtype ?? spec.content.kind,
    time: SAMPLE_TIME + index * 61_000,
    from,
    tolist,
    roomid,
    conversation: conversationOf(from, tolist, roomid),
    content: spec.content,
    attachments: spec.attachments ?? [],
    flags: spec.flags ?? [],
    external: tolist.includes('wmAbCdEf123') || from.startsWith('wm'),
    upDownStream: false,
  };
  const bytes = spec.bytes ?? [];
  const ctx: RenderContext = {
    people: (id) => SAMPLE_PEOPLE.find((p) => p.id === id),
    roomName: (id) => (id === SAMPLE_ROOM ? '项目 Alpha 群' : undefined),
    attachmentBytes: (i) => bytes[i],
    attachmentMissingReason: () => 'expired at the source (WeCom error 10010)',
    addressOf: (id) => MAILBOXES[id],
    recalledSummary: (pre) => (pre === 'fixture_text_0' ? '[WeChat] 张伟 Zhang Wei: 你好 Hello' : undefined),
    recalledAt: spec.recalledAt,
  };
  return { name: spec.name, msg, ctx };
}

const JPEG = fakeBytes('jpeg', 300);

const SPECS: CaseSpec[] = [
  {
    name: 'text',
    content: { kind: 'text', text: '你好 Hello,\nthe contract is attached.\n\tIndented line & <b>not bold</b>' },
  },
  {
    name: 'text-group-recalled',
    group: true,
    recalledAt: SAMPLE_TIME + 90_000,
    flags: ['cleaned-text'],
    content: {
      kind: 'text',
      text: `${'会议改到明天下午三点。'.repeat(12)}\nSecond line with a very long URL https://example.com/${'a'.repeat(1200)}`,
    },
  },
  {
    name: 'image',
    content: { kind: 'image', attachment: 0 },
    attachments: [ref('sdk-img-1', 'image.jpg', 'image/jpeg', 300)],
    bytes: [JPEG],
  },
  {
    name: 'image-expired',
    content: { kind: 'image', attachment: 0 },
    attachments: [ref('sdk-img-2', 'image.jpg', 'image/jpeg', 88_123)],
    bytes: [undefined],
  },
  { name: 'revoke', action: 'recall', content: { kind: 'revoke', preMsgid: 'fixture_text_0' } },
  {
    name: 'agree',
    from: 'wmAbCdEf123',
    tolist: ['zhangwei'],
    content: { kind: 'agree', userid: 'wmAbCdEf123', time: SAMPLE_TIME - 5000 },
  },
  {
    name: 'disagree',
    from: 'wmAbCdEf123',
    tolist: ['zhangwei'],
    content: { kind: 'disagree', userid: 'wmAbCdEf123', time: SAMPLE_TIME - 5000 },
  },
  {
    name: 'voice',
    content: { kind: 'voice', attachment: 0, playLength: 12 },
    attachments: [ref('sdk-voice', 'voice.amr', 'audio/amr', 40)],
    bytes: [fakeBytes('amr', 40)],
  },
  {
    name: 'video',
    content: { kind: 'video', attachment: 0, playLength: 125 },
    attachments: [ref('sdk-video', 'video.mp4', 'video/mp4', 120)],
    bytes: [fakeBytes('mp4', 120)],
  },
  { name: 'card', content: { kind: 'card', corpName: '华东贸易', userid: 'wmAbCdEf123' } },
  {
    name: 'location',
    content: {
      kind: 'location',
      longitude: 121.4737,
      latitude: 31.2304,
      address: '上海市黄浦区人民大道200号',
      title: '人民广场',
      zoom: 15,
    },
  },
  {
    name: 'emotion',
    content: { kind: 'emotion', attachment: 0, emotionType: 'gif', width: 240, height: 240 },
    attachments: [ref('sdk-emo', 'emotion.gif', 'image/gif', 64)],
    bytes: [fakeBytes('gif', 64)],
  },
  {
    name: 'file',
    content: { kind: 'file', attachment: 0, filename: '2024年第一季度销售合同（最终版）-华东区域-签字扫描件.pdf' },
    attachments: [ref('sdk-file', '2024年第一季度销售合同（最终版）-华东区域-签字扫描件.pdf', 'application/pdf', 500)],
    bytes: [fakeBytes('pdf', 500)],
  },
  {
    name: 'link',
    content: {
      kind: 'link',
      title: 'Quarterly report',
      description: 'Q1 numbers <draft>',
      url: 'https://example.com/report?q=1&x=2',
      imageUrl: 'javascript:alert(1)',
    },
  },
  {
    name: 'weapp',
    content: {
      kind: 'weapp',
      title: '报销审批',
      description: 'Expense approval',
      username: 'gh_abcdef123456@app',
      displayName: '企业报销',
    },
  },
  {
    name: 'chatrecord',
    content: {
      kind: 'chatrecord',
      title: '张伟和王芳的聊天记录',
      items: [
        {
          type: 'ChatRecordText',
          time: SAMPLE_TIME - 3_600_000,
          fromChatroom: false,
          content: { kind: 'text', text: 'Price is ¥1,200 per unit.' },
        },
        { type: 'ChatRecordImage', time: SAMPLE_TIME - 3_500_000, content: { kind: 'image', attachment: 0 } },
        {
          type: 'ChatRecordMixed',
          time: SAMPLE_TIME - 3_400_000,
          fromChatroom: true,
          content: {
            kind: 'chatrecord',
            title: 'Inner record',
            items: [
              {
                type: 'ChatRecordText',
                time: SAMPLE_TIME - 7_200_000,
                content: { kind: 'text', text: '内层消息\nsecond line' },
              },
            ],
          },
        },
      ],
    },
    attachments: [ref('sdk-nested', 'nested.jpg', 'image/jpeg', 300, 'nested')],
    bytes: [JPEG],
  },
  {
    name: 'todo',
    group: true,
    content: { kind: 'todo', title: 'Send the quote', content: 'Before Friday\n- price\n- delivery' },
  },
  {
    name: 'vote',
    group: true,
    content: {
      kind: 'vote',
      title: 'Team lunch?',
      items: ['Hotpot 火锅', 'Dumplings 饺子'],
      voteType: 101,
      voteId: 'vote-1',
    },
  },
  {
    name: 'collect',
    group: true,
    content: {
      kind: 'collect',
      roomName: '项目 Alpha 群',
      creator: '张伟',
      createTime: '2024-03-05 22:00:00',
      title: 'Shipping addresses',
      details: [
        { id: 1, ques: 'Name', type: 'Text' },
        { id: 2, ques: 'Quantity', type: 'Number' },
      ],
    },
  },
  {
    name: 'redpacket',
    content: {
      kind: 'redpacket',
      packetType: 2,
      wish: '恭喜发财',
      totalCount: 5,
      totalAmountFen: 123_456,
      external: true,
    },
  },
  {
    name: 'meeting',
    content: {
      kind: 'meeting',
      topic: 'Contract review',
      startTime: 1_709_700_000,
      endTime: 1_709_703_600,
      address: 'Room 3F',
      remarks: 'Bring the draft',
      meetingType: 101,
      meetingId: '12345678',
      status: 1,
    },
  },
  {
    name: 'meeting_notification',
    content: {
      kind: 'meeting_notification',
      content: '会议即将开始 The meeting starts in 5 minutes',
      meetingId: '12345678',
      notificationType: 1,
    },
  },
  {
    name: 'docmsg',
    content: { kind: 'docmsg', title: '合同草稿', url: 'https://doc.weixin.qq.com/doc/abc', creator: 'zhangwei' },
  },
  {
    name: 'markdown',
    from: 'wbBuildBot',
    group: true,
    tolist: ['zhangwei', 'lisi'],
    content: {
      kind: 'markdown',
      content: '# Build **passed**\n> <script>alert(1)</script>\n- [link](https://example.com)',
    },
  },
  {
    name: 'news',
    from: 'wbBuildBot',
    group: true,
    tolist: ['zhangwei'],
    content: {
      kind: 'news',
      items: [
        {
          title: 'Release 1.2',
          description: 'What changed',
          url: 'https://example.com/1.2',
          picUrl: 'https://example.com/1.2.png',
        },
        { title: '发布说明', description: '中文说明', url: 'https://example.com/zh', picUrl: '' },
      ],
    },
  },
  {
    name: 'calendar',
    content: {
      kind: 'calendar',
      title: 'Site visit',
      creatorName: '张伟',
      attendees: ['王芳', 'Li Si'],
      startTime: 1_709_780_400,
      endTime: 1_709_787_600,
      place: '浦东',
      remarks: 'Car at 9',
    },
  },
  {
    name: 'mixed',
    content: {
      kind: 'mixed',
      items: [
        { type: 'text', content: { kind: 'text', text: 'See the photo:' } },
        { type: 'image', content: { kind: 'image', attachment: 0 } },
      ],
    },
    attachments: [ref('sdk-mixed', 'photo.jpg', 'image/jpeg', 300, 'nested')],
    bytes: [JPEG],
  },
  {
    name: 'meeting_voice_call',
    group: true,
    msgtype: 'meeting_voice_call',
    content: {
      kind: 'meeting_voice_call',
      voiceId: 'voice-abc',
      attachment: 0,
      endTime: 1_709_651_000,
      demoFiles: [{ filename: 'slides.pptx', operator: 'zhangwei', startTime: 1_709_647_500, endTime: 1_709_648_100 }],
      shareScreens: [{ share: 'lisi', startTime: 1_709_648_200, endTime: 1_709_648_500 }],
    },
    attachments: [ref('sdk-rec', 'recording.amr', 'audio/amr', 80, 'recording')],
    bytes: [fakeBytes('rec', 80)],
  },
  {
    name: 'voip_doc_share',
    content: { kind: 'voip_doc_share', voipId: 'voip-1', attachment: 0, filename: 'price list.xlsx' },
    attachments: [
      ref('sdk-doc', 'price list.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 90),
    ],
    bytes: [fakeBytes('xlsx', 90)],
  },
  { name: 'voiptext', content: { kind: 'voiptext', callDuration: 125, inviteType: 2 } },
  {
    name: 'sphfeed',
    content: { kind: 'sphfeed', feedType: 4, name: '华东贸易官方', description: 'New products 新品' },
  },
  { name: 'qydiskfile', content: { kind: 'qydiskfile', filename: '报价单.xlsx' } },
  { name: 'switch', action: 'switch', msgtype: 'switch', tolist: [], content: { kind: 'switch', user: 'zhangwei' } },
  {
    name: 'unknown',
    msgtype: 'solitaire',
    flags: ['unknown-type'],
    content: {
      kind: 'unknown',
      msgtype: 'solitaire',
      payload: { solitaire: { title: '接龙', items: [1, 2, { nested: true }] } },
    },
  },
];

export function sampleCases(): SampleCase[] {
  return SPECS.map(build);
}

export function sampleMessages(): ChatMessage[] {
  return sampleCases().map((c) => c.msg);
}
