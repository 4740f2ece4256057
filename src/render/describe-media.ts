/**
 * Descriptions of the content kinds that carry a file (image, voice, video, sticker, file,
 * call recording, document shared in a call) and of call records. Whether the bytes are
 * attached or missing is always said in so many words: a reviewer must never wonder.
 */
import libmime from 'libmime';
import type { AttachmentRef, Content } from '../core/model.js';
import { nameOf } from './addresses.js';
import { formatDuration, formatSize, optionalTime, toMs } from './format.js';
import { field, fieldsBlock, type Block, type Description, type Field, type Scope } from './view.js';

type Of<K extends Content['kind']> = Content & { kind: K };

/** Shown when the pipeline gives no reason of its own for missing bytes. */
const DEFAULT_MISSING_REASON = 'not fetched from the source: expired there or not downloaded yet';

/**
 * The file name an attachment part gets: the source's name without any path (a name like
 * `../../x` must not steer where a client saves it) or control characters; when nothing is
 * left, `attachment-N.ext` from the content type.
 */
export function attachmentFilename(ref: AttachmentRef, index: number): string {
  const base = ref.filename.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/\p{Cc}+/gu, ' ').trim();
  if (clean && clean !== '.' && clean !== '..') return clean;
  return `attachment-${index + 1}.${libmime.detectExtension(ref.contentType)}`;
}

/** The rows for one attachment plus, when its bytes are missing, a warning saying why. */
export function mediaBlocks(scope: Scope, index: number, details: (Field | undefined)[]): Block[] {
  scope.referenced.add(index);
  const ref = scope.msg.attachments[index];
  if (!ref) {
    return [
      fieldsBlock(details),
      { type: 'notice', tone: 'warning', text: `Media not available (the message lists no attachment #${index + 1})` },
    ];
  }
  const name = attachmentFilename(ref, index);
  const rows: (Field | undefined)[] = [
    { label: 'File name (文件名)', value: name },
    ...details,
    field('Size (大小)', ref.size === undefined ? undefined : formatSize(ref.size)),
    { label: 'Content type', value: ref.contentType },
    field('MD5 (source)', ref.md5 || undefined),
  ];
  const size = scope.sizes[index];
  if (size !== undefined) {
    rows.push({ label: 'Attachment (附件)', value: `see attachment "${name}" (${formatSize(size)})` });
    return [fieldsBlock(rows)];
  }
  const reason = scope.ctx.attachmentMissingReason?.(index) || DEFAULT_MISSING_REASON;
  return [
    fieldsBlock(rows),
    { type: 'notice', tone: 'warning', text: `Media not available (${reason}) (媒体文件不可用)` },
  ];
}

function duration(seconds: number | undefined): Field | undefined {
  return seconds === undefined ? undefined : { label: 'Duration (时长)', value: formatDuration(seconds) };
}

function withDuration(label: string, seconds: number | undefined): string {
  return seconds === undefined ? label : `${label} (${formatDuration(seconds)})`;
}

export function image(c: Of<'image'>, scope: Scope): Description {
  return { title: 'Image (图片)', summary: 'Image', blocks: mediaBlocks(scope, c.attachment, []) };
}

export function voice(c: Of<'voice'>, scope: Scope): Description {
  return {
    title: 'Voice message (语音)',
    summary: withDuration('Voice message', c.playLength),
    blocks: mediaBlocks(scope, c.attachment, [duration(c.playLength)]),
  };
}

export function video(c: Of<'video'>, scope: Scope): Description {
  return {
    title: 'Video (视频)',
    summary: withDuration('Video', c.playLength),
    blocks: mediaBlocks(scope, c.attachment, [duration(c.playLength)]),
  };
}

export function emotion(c: Of<'emotion'>, scope: Scope): Description {
  const size = c.width !== undefined && c.height !== undefined ? `${c.width} × ${c.height} px` : undefined;
  return {
    title: 'Sticker (表情)',
    summary: 'Sticker',
    blocks: mediaBlocks(scope, c.attachment, [field('Format', c.emotionType.toUpperCase()), field('Dimensions', size)]),
  };
}

export function file(c: Of<'file'>, scope: Scope): Description {
  return {
    title: 'File (文件)',
    summary: `File: ${c.filename}`,
    blocks: mediaBlocks(scope, c.attachment, [field('Name in chat', c.filename)]),
  };
}

export function voipDocShare(c: Of<'voip_doc_share'>, scope: Scope): Description {
  return {
    title: 'Document shared in a call (通话中共享的文件)',
    summary: `Shared in a call: ${c.filename}`,
    blocks: mediaBlocks(scope, c.attachment, [field('Name in call', c.filename), field('Call id (voipid)', c.voipId)]),
  };
}

/** `start – end` for a call event; either side may be unknown. */
function span(start: number | undefined, end: number | undefined): string {
  const s = optionalTime(start) ?? 'unknown start';
  if (end === undefined) return s;
  const e = optionalTime(end) ?? '';
  const seconds = start !== undefined && toMs(end) >= toMs(start) ? (toMs(end) - toMs(start)) / 1000 : undefined;
  return seconds === undefined ? `${s} – ${e}` : `${s} – ${e} (${formatDuration(seconds)})`;
}

export function meetingVoiceCall(c: Of<'meeting_voice_call'>, scope: Scope): Description {
  const blocks: Block[] = [
    fieldsBlock([field('Call id (voiceid)', c.voiceId), field('Ended (结束时间)', optionalTime(c.endTime))]),
  ];
  if (c.attachment !== undefined) {
    blocks.push({
      type: 'section',
      heading: 'Call recording (通话录音)',
      blocks: mediaBlocks(scope, c.attachment, []),
    });
  } else {
    blocks.push({ type: 'notice', tone: 'info', text: 'This call has no recording (无录音).' });
  }
  if (c.demoFiles.length > 0) {
    blocks.push({
      type: 'list',
      title: 'Files shared in the call (共享文件)',
      items: c.demoFiles.map(
        (d) => `${d.filename} shared by ${nameOf(scope.ctx, d.operator)}: ${span(d.startTime, d.endTime)}`,
      ),
    });
  }
  if (c.shareScreens.length > 0) {
    blocks.push({
      type: 'list',
      title: 'Screen shares (屏幕共享)',
      items: c.shareScreens.map((s) => `${nameOf(scope.ctx, s.share)}: ${span(s.startTime, s.endTime)}`),
    });
  }
  const summary = c.attachment !== undefined ? 'Meeting voice call with recording' : 'Meeting voice call';
  return { title: 'Meeting voice call (会议语音通话)', summary, blocks };
}

/** WeCom's `invitetype`: who was called and how. */
const CALL_TYPES: Record<number, [english: string, chinese: string]> = {
  1: ['Video call', '视频通话'],
  2: ['Voice call', '语音通话'],
  3: ['Group video call', '多人视频通话'],
  4: ['Group voice call', '多人语音通话'],
};

export function voiptext(c: Of<'voiptext'>): Description {
  const [english, chinese] = (c.inviteType !== undefined && CALL_TYPES[c.inviteType]) || ['Call', '通话'];
  return {
    title: `${english} (${chinese})`,
    summary: withDuration(english, c.callDuration),
    blocks: [
      fieldsBlock([
        { label: 'Call type (通话类型)', value: `${english} (${chinese})` },
        duration(c.callDuration),
        field('invitetype', c.inviteType),
      ]),
    ],
  };
}
