/**
 * Text of an attachment, for the search index: plain text, CSV and HTML here. A file that
 * cannot be read is indexed by its name and counted (status other than 'ok'), never fatal.
 * Formats are recognised by content type, then by file name extension.
 */
import { decodeText } from './decode.js';
import { htmlText } from './html.js';

export interface ExtractedText {
  /**
   * ok: text extracted; unsupported: a format we do not read (not counted as a failure);
   * failed: a supported format that could not be read; timeout: reading took too long;
   * too-large: the file is bigger than we read
   */
  status: 'ok' | 'unsupported' | 'failed' | 'timeout' | 'too-large';
  text: string;
  reason?: string;
}

export interface ExtractInput {
  fileName: string;
  contentType?: string;
  bytes: Uint8Array;
}

/** Files above this are indexed by name only: text beyond it would not fit a sane index row. */
export const EXTRACT_MAX_BYTES = 32 * 1024 * 1024;
/** Extracted text is cut here (characters). */
export const EXTRACT_MAX_CHARS = 1_000_000;

type Format = 'text' | 'csv' | 'html';

const BY_TYPE: Record<string, Format> = {
  'text/plain': 'text',
  'text/csv': 'csv',
  'text/tab-separated-values': 'csv',
  'application/csv': 'csv',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
};

const BY_EXTENSION: Record<string, Format> = {
  txt: 'text',
  text: 'text',
  log: 'text',
  md: 'text',
  csv: 'csv',
  tsv: 'csv',
  htm: 'html',
  html: 'html',
  xhtml: 'html',
};

function formatOf(input: ExtractInput): Format | undefined {
  const type = input.contentType?.split(';')[0]?.trim().toLowerCase();
  if (type && BY_TYPE[type]) return BY_TYPE[type];
  const ext = /\.([a-z0-9]+)$/i.exec(input.fileName)?.[1]?.toLowerCase();
  return ext ? BY_EXTENSION[ext] : undefined;
}

export async function extractAttachmentText(input: ExtractInput): Promise<ExtractedText> {
  const format = formatOf(input);
  if (!format) return { status: 'unsupported', text: '' };
  if (input.bytes.byteLength > EXTRACT_MAX_BYTES)
    return { status: 'too-large', text: '', reason: `larger than ${EXTRACT_MAX_BYTES} bytes` };
  try {
    const raw = decodeText(input.bytes);
    // CSV cells are text separated by commas and quotes, which the tokenizer treats as
    // separators anyway: the decoded file is its searchable text.
    const text = format === 'html' ? htmlText(raw) : raw;
    return { status: 'ok', text: text.slice(0, EXTRACT_MAX_CHARS) };
  } catch (err) {
    return { status: 'failed', text: '', reason: err instanceof Error ? err.message : String(err) };
  }
}
