/**
 * The payloads that carry files (image, voice, video, emotion, file, chatrecord, mixed, call
 * recordings, shared call documents): each gets a fresh sdkfileid whose bytes GetMediaData
 * serves, with md5sum and size fields that match those bytes.
 */
import type { MediaFile, MediaKind, MediaPool } from './media.js';
import type { Conversation } from './people.js';
import type { Prng } from './prng.js';
import { PLACES, chatText } from './texts.js';

/** A decrypted WeCom message as DecryptData returns it. */
export type WecomMessage = Record<string, unknown>;

/** Hands out a fresh sdkfileid for a pool file and records it for media/index.json. */
export interface MediaAllocator {
  pool: MediaPool;
  allocate(file: MediaFile): string;
}

export interface PayloadContext {
  prng: Prng;
  /** msgtime, ms */
  time: number;
  from: string;
  conv: Conversation;
  media: MediaAllocator;
  nameOf(id: string): string;
  corpName: string;
  employees: readonly string[];
  /** the first message of this type in the dataset: use the documented placement */
  first: boolean;
}

const sec = (ms: number): number => Math.floor(ms / 1000);
const hex = (prng: Prng, n: number): string => prng.chars(n, '0123456789abcdef');

function pickMedia(ctx: PayloadContext, kind: MediaKind): { id: string; file: MediaFile } {
  const file = ctx.prng.pick(ctx.media.pool.byKind[kind]);
  return { id: ctx.media.allocate(file), file };
}

function imageFields(ctx: PayloadContext): Record<string, unknown> {
  // screenshots arrive as PNG now and then; photos are JPEG (WeCom's usual image format)
  const { id, file } = pickMedia(ctx, ctx.prng.chance(0.2) ? 'png' : 'jpeg');
  return { md5sum: file.md5, filesize: file.bytes.length, sdkfileid: id };
}

function fileFields(ctx: PayloadContext): Record<string, unknown> {
  const { id, file } = pickMedia(ctx, ctx.prng.chance(0.8) ? 'pdf' : 'csv');
  const filename = file.filename ?? 'file';
  return { md5sum: file.md5, filename, fileext: filename.split('.').pop(), filesize: file.bytes.length, sdkfileid: id };
}

/** nested content of chatrecord and mixed items: a JSON string, as WeCom sends it */
const nested = (value: Record<string, unknown>): string => JSON.stringify(value);

/** forwarded items; their msgtime is in seconds, as in the vendor's example (the message's own msgtime is ms) */
function chatRecordItems(ctx: PayloadContext): Record<string, unknown>[] {
  const { prng } = ctx;
  let t = sec(ctx.time) - prng.int(3600, 86400);
  const item = (type: string, content: Record<string, unknown>): Record<string, unknown> => {
    t += prng.int(5, 600);
    return { type, msgtime: t, content: nested(content), from_chatroom: prng.chance(0.5) };
  };
  const place = prng.pick(PLACES);
  return [
    item('ChatRecordText', { content: chatText(prng) }),
    item('ChatRecordImage', imageFields(ctx)),
    item('ChatRecordText', { content: chatText(prng) }),
    item('ChatRecordFile', fileFields(ctx)),
    item('ChatRecordLink', {
      title: '债券市场周报 Bond weekly',
      description: 'Weekly wrap',
      link_url: 'https://research.example-bank.cn/weekly',
      image_url: 'https://research.example-bank.cn/w.png',
    }),
    item('ChatRecordLocation', {
      longitude: place[2],
      latitude: place[3],
      address: place[0],
      title: place[1],
      zoom: 15,
    }),
    item('ChatRecordCard', { corpname: ctx.corpName, userid: prng.pick(ctx.employees) }),
  ];
}

/** The payload of a file-carrying `msgtype`, or undefined for the other types. */
export function buildMediaPayload(msgtype: string, ctx: PayloadContext): Record<string, unknown> | undefined {
  const { prng, time } = ctx;
  switch (msgtype) {
    case 'image':
      return { image: imageFields(ctx) };
    case 'voice': {
      const { id, file } = pickMedia(ctx, 'amr');
      return { voice: { md5sum: file.md5, voice_size: file.bytes.length, play_length: file.seconds, sdkfileid: id } };
    }
    case 'video': {
      const { id, file } = pickMedia(ctx, 'mp4');
      return { video: { md5sum: file.md5, filesize: file.bytes.length, play_length: file.seconds, sdkfileid: id } };
    }
    case 'emotion': {
      const gif = prng.chance(0.6);
      const { id, file } = pickMedia(ctx, gif ? 'gif' : 'png');
      const emotion = { type: gif ? 1 : 2, width: file.width, height: file.height, imagesize: file.bytes.length };
      return { emotion: { ...emotion, sdkfileid: id, md5sum: file.md5 } };
    }
    case 'file':
      return { file: fileFields(ctx) };
    case 'chatrecord':
      return { chatrecord: { title: `${ctx.nameOf(ctx.from)} 的聊天记录 Chat history`, item: chatRecordItems(ctx) } };
    case 'mixed': {
      const image = imageFields(ctx);
      return {
        mixed: {
          item: [
            { type: 'text', content: nested({ content: chatText(prng) }) },
            { type: 'image', content: nested(image) },
            { type: 'text', content: nested({ content: '见上图 See above' }) },
          ],
        },
      };
    }
    case 'meeting_voice_call': {
      const rec = ctx.media.pool.recording;
      const end = sec(time);
      const start = end - (rec.seconds ?? 60);
      const doc = ctx.prng.pick(ctx.media.pool.byKind.pdf);
      return {
        voiceid: `gr${hex(prng, 32)}`,
        meeting_voice_call: {
          endtime: end,
          sdkfileid: ctx.media.allocate(rec),
          demofiledata: [
            { filename: doc.filename, demooperator: ctx.from, starttime: start + 60, endtime: start + 300 },
          ],
          sharescreendata: [{ share: ctx.from, starttime: start + 320, endtime: start + 600 }],
        },
      };
    }
    case 'voip_doc_share': {
      const { id, file } = pickMedia(ctx, 'pdf');
      return {
        voipid: `gr${hex(prng, 32)}`,
        voip_doc_share: { filename: file.filename, md5sum: file.md5, filesize: file.bytes.length, sdkfileid: id },
      };
    }
    default:
      return undefined;
  }
}

/** Every sdkfileid a decrypted message refers to, including those inside chatrecord/mixed item strings. */
export function sdkFileIdsOf(msg: WecomMessage): string[] {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.startsWith('{') && v.includes('sdkfileid')) {
        try {
          visit(JSON.parse(v));
        } catch {
          // a text that merely looks like JSON
        }
      }
      return;
    }
    if (Array.isArray(v)) return v.forEach(visit);
    if (v && typeof v === 'object') {
      for (const [k, val] of Object.entries(v)) {
        if (k === 'sdkfileid' && typeof val === 'string' && val) out.push(val);
        else visit(val);
      }
    }
  };
  visit(msg);
  return out;
}
