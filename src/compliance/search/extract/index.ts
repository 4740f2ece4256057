/**
 * Text of an attachment for the search index. Never throws: a file that cannot be read comes
 * back with a status and its reason, and the item is still indexed by the file's name.
 */
import { extractOfficeText } from './office.js';

export { closeSharedExtractPool } from './office.js';

export interface ExtractedText {
  status: 'ok' | 'unsupported' | 'failed' | 'timeout' | 'too-large';
  text: string;
  reason?: string;
}

export async function extractAttachmentText(input: {
  fileName: string;
  contentType?: string;
  bytes: Uint8Array;
}): Promise<ExtractedText> {
  try {
    const office = await extractOfficeText(input);
    if (office) return office;
    return { status: 'unsupported', text: '', reason: `no text extractor for ${input.contentType ?? 'this type'}` };
  } catch (err) {
    return { status: 'failed', text: '', reason: err instanceof Error ? err.message : String(err) };
  }
}
