/**
 * Attachments that need a real parser (PDF, Word, Excel, PowerPoint): recognised by their
 * bytes, size-capped, and read on the shared extraction pool. Legacy binary Office files
 * (.doc, .xls, .ppt) are recognised and reported `unsupported`: no well-kept npm library
 * reads all three, and such a file is still indexed by its name.
 */
import { detectBinaryFormat } from './detect.js';
import { MAX_INPUT_BYTES } from './limits.js';
import { createExtractPool, type BinaryOutcome, type ExtractPool } from './pool.js';

let shared: ExtractPool | undefined;

/** The process's extraction pool, started on first use (its idle threads do not keep the process alive). */
export function sharedExtractPool(): ExtractPool {
  shared ??= createExtractPool();
  return shared;
}

/** Stops the shared pool (at shutdown, and between tests). */
export async function closeSharedExtractPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}

export type OfficeOutcome = BinaryOutcome | { status: 'unsupported'; text: ''; reason: string };

/** The text of a PDF or Office file; undefined when the file is none of these. */
export async function extractOfficeText(
  input: { fileName: string; bytes: Uint8Array },
  pool: ExtractPool = sharedExtractPool(),
): Promise<OfficeOutcome | undefined> {
  const format = detectBinaryFormat(input.fileName, input.bytes);
  if (!format) return undefined;
  if (format === 'legacy-office') {
    return { status: 'unsupported', text: '', reason: 'legacy binary Office format (.doc/.xls/.ppt) is not read' };
  }
  if (input.bytes.length > MAX_INPUT_BYTES) {
    return {
      status: 'too-large',
      text: '',
      reason: `${input.bytes.length} bytes is over the ${MAX_INPUT_BYTES / 1048576} MiB limit for reading text`,
    };
  }
  return pool.run(format, input.bytes);
}
