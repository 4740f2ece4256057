/**
 * The binary extractors by format, as one function a worker thread (or, in tests of the
 * extractors themselves, the calling thread) runs. Each file format has its own module.
 */
import type { BinaryFormat } from './detect.js';
import { docxText } from './docx.js';
import { pdfText } from './pdf.js';
import { pptxText } from './pptx.js';
import { xlsxText } from './xlsx.js';

export type ReadableFormat = Exclude<BinaryFormat, 'legacy-office'>;

export interface BinaryTask {
  format: ReadableFormat;
  bytes: Uint8Array;
}

export async function extractBinary(task: BinaryTask): Promise<string> {
  switch (task.format) {
    case 'pdf':
      return pdfText(task.bytes);
    case 'docx':
      return docxText(task.bytes);
    case 'xlsx':
      return xlsxText(task.bytes);
    case 'pptx':
      return pptxText(task.bytes);
  }
}
