/**
 * How a message's media become AttachmentRefs: the file name and content type each carries
 * (WeCom sends bytes without either), and the index the Content variant points at.
 */
import type { AttachmentRef } from '../../core/model.js';
import type { ParseState } from './parse-util.js';

/** Content's `attachment` index when the payload had no sdkfileid (the message is flagged incomplete). */
export const NO_ATTACHMENT = -1;

/** Content types of the extensions people commonly send; anything else is application/octet-stream. */
const CONTENT_TYPES: ReadonlyMap<string, string> = new Map([
  ['txt', 'text/plain'],
  ['csv', 'text/csv'],
  ['htm', 'text/html'],
  ['html', 'text/html'],
  ['md', 'text/markdown'],
  ['xml', 'application/xml'],
  ['json', 'application/json'],
  ['pdf', 'application/pdf'],
  ['rtf', 'application/rtf'],
  ['doc', 'application/msword'],
  ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['xls', 'application/vnd.ms-excel'],
  ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['ppt', 'application/vnd.ms-powerpoint'],
  ['pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  ['odt', 'application/vnd.oasis.opendocument.text'],
  ['ods', 'application/vnd.oasis.opendocument.spreadsheet'],
  ['odp', 'application/vnd.oasis.opendocument.presentation'],
  ['zip', 'application/zip'],
  ['rar', 'application/vnd.rar'],
  ['7z', 'application/x-7z-compressed'],
  ['gz', 'application/gzip'],
  ['tar', 'application/x-tar'],
  ['eml', 'message/rfc822'],
  ['apk', 'application/vnd.android.package-archive'],
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['png', 'image/png'],
  ['gif', 'image/gif'],
  ['bmp', 'image/bmp'],
  ['webp', 'image/webp'],
  ['heic', 'image/heic'],
  ['tif', 'image/tiff'],
  ['tiff', 'image/tiff'],
  ['svg', 'image/svg+xml'],
  ['amr', 'audio/amr'],
  ['mp3', 'audio/mpeg'],
  ['wav', 'audio/wav'],
  ['m4a', 'audio/mp4'],
  ['aac', 'audio/aac'],
  ['mp4', 'video/mp4'],
  ['mov', 'video/quicktime'],
  ['avi', 'video/x-msvideo'],
  ['mkv', 'video/x-matroska'],
]);

/** The lower-case extension of a file name, without the dot ('' when there is none). */
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot > 0 && dot < filename.length - 1 ? filename.slice(dot + 1).toLowerCase() : '';
}

/** The content type for a file name by its extension; application/octet-stream when unknown. */
export function contentTypeOf(filename: string): string {
  return CONTENT_TYPES.get(extensionOf(filename)) ?? 'application/octet-stream';
}

/**
 * A sender's file name made safe to use as one: path separators and control characters
 * become '_', so a name like `../../x` cannot reach outside wherever a consumer writes it.
 */
export function safeFilename(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what we replace
  const cleaned = name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim();
  return cleaned === '.' || cleaned === '..' ? '_' : cleaned.slice(0, 255);
}

/** The generated name of a medium: `<msgid>.<ext>`, and `<msgid>-<index>.<ext>` inside nested records. */
export function generatedName(st: ParseState, ext: string): string {
  return st.depth > 0 ? `${st.msgid}-${st.attachments.length}.${ext}` : `${st.msgid}.${ext}`;
}

export interface MediaSpec {
  sdkfileid: string;
  filename: string;
  contentType: string;
  size: number | undefined;
  md5: string | undefined;
  /** the role at top level; inside a chatrecord/mixed item it is always 'nested' */
  role: 'media' | 'recording';
}

/** Append an attachment to the message and return its index; NO_ATTACHMENT when there is no sdkfileid. */
export function attach(st: ParseState, spec: MediaSpec): number {
  if (!spec.sdkfileid) return NO_ATTACHMENT;
  const ref: AttachmentRef = {
    sdkfileid: spec.sdkfileid,
    filename: spec.filename,
    contentType: spec.contentType,
    role: st.depth > 0 ? 'nested' : spec.role,
  };
  if (spec.size !== undefined) ref.size = spec.size;
  if (spec.md5 !== undefined) ref.md5 = spec.md5;
  st.attachments.push(ref);
  return st.attachments.length - 1;
}
