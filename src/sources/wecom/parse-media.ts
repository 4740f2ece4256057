/**
 * Message types that carry a file fetched by sdkfileid: image, voice, video, emotion, file,
 * the meeting call recording and a document shared in a call. Each becomes an AttachmentRef
 * with a name and content type, since WeCom sends the bytes without either.
 */
import type { Content } from '../../core/model.js';
import { attach, contentTypeOf, extensionOf, generatedName, safeFilename } from './attachments.js';
import { type Fields, type ParseState, type TypeParser, asString, markIncomplete, own, under } from './parse-util.js';

/** An attachment whose type WeCom fixes: images are jpg, voice is amr, video is mp4 (vendor documentation). */
function fixedMedia(p: Fields, st: ParseState, sizeKey: string, ext: string, contentType: string): number {
  return attach(st, {
    sdkfileid: p.str('sdkfileid'),
    filename: generatedName(st, ext),
    contentType,
    size: p.optNum(sizeKey),
    md5: p.optStr('md5sum'),
    role: 'media',
  });
}

/**
 * A sender's file name, or `<msgid>.<fileext>` when it is missing; `fileext` is appended
 * when the name has no extension so the content type can still be told.
 */
function senderFilename(p: Fields, st: ParseState, fileext: string): string {
  const given = safeFilename(p.str('filename'));
  const ext = fileext.replace(/^\./, '').toLowerCase();
  if (!given) return generatedName(st, ext || 'bin');
  return ext && !extensionOf(given) ? `${given}.${ext}` : given;
}

const image: TypeParser = {
  locate: under('image'),
  parse: (p, _msg, st) => ({ kind: 'image', attachment: fixedMedia(p, st, 'filesize', 'jpg', 'image/jpeg') }),
};

const voice: TypeParser = {
  locate: under('voice'),
  parse: (p, _msg, st) => ({
    kind: 'voice',
    attachment: fixedMedia(p, st, 'voice_size', 'amr', 'audio/amr'),
    playLength: p.optNum('play_length'),
  }),
};

const video: TypeParser = {
  locate: under('video'),
  parse: (p, _msg, st) => ({
    kind: 'video',
    attachment: fixedMedia(p, st, 'filesize', 'mp4', 'video/mp4'),
    playLength: p.optNum('play_length'),
  }),
};

const emotion: TypeParser = {
  locate: under('emotion'),
  parse: (p, _msg, st) => {
    const type = p.num('type');
    // type 1 is gif, 2 png; an unknown or missing type is flagged and guessed as png, which
    // every viewer shows (a gif's first frame included) whatever the bytes turn out to be.
    if (type !== undefined && type !== 1 && type !== 2) markIncomplete(st);
    const emotionType = type === 1 ? 'gif' : 'png';
    return {
      kind: 'emotion',
      attachment: fixedMedia(p, st, 'imagesize', emotionType, `image/${emotionType}`),
      emotionType,
      width: p.optNum('width'),
      height: p.optNum('height'),
    };
  },
};

const file: TypeParser = {
  locate: under('file'),
  parse: (p, _msg, st) => {
    const filename = senderFilename(p, st, p.str('fileext'));
    const attachment = attach(st, {
      sdkfileid: p.str('sdkfileid'),
      filename,
      contentType: contentTypeOf(filename),
      size: p.optNum('filesize'),
      md5: p.optStr('md5sum'),
      role: 'media',
    });
    return { kind: 'file', attachment, filename };
  },
};

function timeRange(p: Fields): { startTime?: number; endTime?: number } {
  return { startTime: p.optNum('starttime'), endTime: p.optNum('endtime') };
}

const meetingVoiceCall: TypeParser = {
  locate: under('meeting_voice_call'),
  parse: (p, msg, st) => {
    const voiceId = asString(own(msg, 'voiceid')) ?? p.str('voiceid');
    // The call recording. No source states its format; WeCom's other voice media are AMR, so
    // audio/amr is the best announced guess; a consumer that sniffs the bytes may correct it.
    // Absent when the call was not recorded, which is not a defect of the payload.
    const sdkfileid = p.optStr('sdkfileid');
    const content: Content = {
      kind: 'meeting_voice_call',
      voiceId,
      endTime: p.optNum('endtime'),
      demoFiles: p.objects('demofiledata', false).map((d) => ({
        filename: d.str('filename'),
        operator: d.str('demooperator'),
        ...timeRange(d),
      })),
      shareScreens: p.objects('sharescreendata', false).map((s) => ({ share: s.str('share'), ...timeRange(s) })),
    };
    if (sdkfileid) {
      content.attachment = attach(st, {
        sdkfileid,
        filename: generatedName(st, 'amr'),
        contentType: 'audio/amr',
        size: undefined,
        md5: undefined,
        role: 'recording',
      });
    }
    return content;
  },
};

const voipDocShare: TypeParser = {
  locate: under('voip_doc_share'),
  parse: (p, msg, st) => {
    const voipId = asString(own(msg, 'voipid')) ?? p.str('voipid');
    const filename = senderFilename(p, st, '');
    const attachment = attach(st, {
      sdkfileid: p.str('sdkfileid'),
      filename,
      contentType: contentTypeOf(filename),
      size: p.optNum('filesize'),
      md5: p.optStr('md5sum'),
      role: 'media',
    });
    return { kind: 'voip_doc_share', voipId, attachment, filename };
  },
};

/** Parsers of the media-carrying msgtypes, by msgtype. */
export const MEDIA_PARSERS: ReadonlyArray<readonly [string, TypeParser]> = [
  ['image', image],
  ['voice', voice],
  ['video', video],
  ['emotion', emotion],
  ['file', file],
  ['meeting_voice_call', meetingVoiceCall],
  ['voip_doc_share', voipDocShare],
];
