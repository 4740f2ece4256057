/**
 * Text of a Word document (.docx) through mammoth, the standard reader of Word's XML in
 * JavaScript: the raw text of the body, paragraphs on their own lines. Runs inside an
 * extraction worker.
 */
import mammoth from 'mammoth';
import { checkUnpackedSize } from './zip.js';

export async function docxText(bytes: Uint8Array): Promise<string> {
  // mammoth inflates the zip itself, without a bound: the sizes it declares are checked first
  // (a zip that lies about them still meets the worker's heap limit).
  checkUnpackedSize(bytes);
  const result = await mammoth.extractRawText({
    buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  });
  return result.value;
}
