/**
 * Text of an attachment, for the search index: plain text, CSV and HTML on the calling thread;
 * PDF, Word, Excel and PowerPoint on bounded worker threads (office.ts). A file that cannot be
 * read is indexed by its name and counted (status other than 'ok'), never fatal: this function
 * does not throw. Binary formats are recognised by their bytes; text formats by content type,
 * then by file name extension.
 */
import { decodeText } from './decode.js';
import { htmlText } from './html.js';
import { MAX_TEXT_CHARS } from './limits.js';
import { extractOfficeText } from './office.js';

export { closeSharedExtractPool } from './office.js';

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

/** Text files above this are indexed by name only: text beyond it would not fit a sane index row. */
export const EXTRACT_MAX_BYTES = 32 * 1024 * 1024;
/** Extracted text is cut here (characters), whatever the format. */
export const EXTRACT_MAX_CHARS = MAX_TEXT_CHARS;

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

async function textFile(input: ExtractInput, format: Format): Promise<ExtractedText> {
  if (input.bytes.byteLength > EXTRACT_MAX_BYTES)
    return { status: 'too-large', text: '', reason: `larger than ${EXTRACT_MAX_BYTES} bytes` };
  const raw = decodeText(input.bytes);
  // CSV cells are text separated by commas and quotes, which the tokenizer treats as
  // separators anyway: the decoded file is its searchable text.
  const text = format === 'html' ? await htmlText(raw) : raw;
  return { status: 'ok', text: text.slice(0, EXTRACT_MAX_CHARS) };
}

export async function extractAttachmentText(input: ExtractInput): Promise<ExtractedText> {
  try {
    const office = await extractOfficeText(input);
    if (office) return office;
    const format = formatOf(input);
    if (!format) return { status: 'unsupported', text: '' };
    return await textFile(input, format);
  } catch (err) {
    return { status: 'failed', text: '', reason: err instanceof Error ? err.message : String(err) };
  }
}
