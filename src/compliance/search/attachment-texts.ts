/**
 * The text of a message's attachments for its search document, the same for the pipeline and
 * for reindex: media (images, audio, video) is never read; everything else is offered to
 * extractAttachmentText, and a file that cannot be read is counted, never fatal.
 */
import type { AttachmentRef } from '../../core/model.js';
import { extractAttachmentText, type ExtractedText } from './extract/index.js';

/** Content we never read for text: it has none, and it is the bulk of the bytes. */
const MEDIA_TYPE = /^(image|audio|video)\//i;

export interface AttachmentTexts {
  /** by attachment index; undefined when nothing was read */
  texts: (string | undefined)[];
  /** supported files that could not be read: failed, timed out or too large */
  unreadable: number;
}

export async function attachmentTexts(
  refs: readonly AttachmentRef[],
  load: (index: number) => Promise<Uint8Array | undefined>,
): Promise<AttachmentTexts> {
  const out: AttachmentTexts = { texts: [], unreadable: 0 };
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i]!;
    out.texts.push(undefined);
    if (ref.role === 'recording' || MEDIA_TYPE.test(ref.contentType)) continue;
    let bytes: Uint8Array | undefined;
    try {
      bytes = await load(i);
    } catch {
      // A stored file that cannot be read back: the item is still indexed, by name.
      out.unreadable++;
      continue;
    }
    if (!bytes) continue;
    const r: ExtractedText = await extractAttachmentText({
      fileName: ref.filename,
      contentType: ref.contentType,
      bytes,
    });
    if (r.status === 'ok') out.texts[i] = r.text;
    else if (r.status !== 'unsupported') out.unreadable++;
  }
  return out;
}
