/**
 * Text of a PDF through Mozilla's pdf.js (pdfjs-dist, its Node "legacy" build): page by page,
 * a line break where pdf.js sees the end of a line. No fonts are loaded and no code is
 * evaluated (isEvalSupported off): only the text layer is wanted. Runs inside an extraction
 * worker; a damaged or password-protected file throws and the pool reports why.
 */
import { ExtractLimitError, MAX_TEXT_CHARS } from './limits.js';

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

export async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({
    // pdf.js takes ownership of (and detaches) the buffer it is given: hand it a copy.
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  try {
    const doc = await task.promise;
    const pages: string[] = [];
    let length = 0;
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const text = (content.items as TextItemLike[]).map((i) => (i.str ?? '') + (i.hasEOL ? '\n' : '')).join('');
      page.cleanup();
      pages.push(text);
      length += text.length;
      // Past the text cap nothing more would be kept: stop reading pages.
      if (length > MAX_TEXT_CHARS) break;
    }
    return pages.join('\n');
  } catch (err) {
    if (err instanceof Error && err.name === 'PasswordException') {
      throw new ExtractLimitError('the PDF is encrypted with a password', { cause: err });
    }
    throw err;
  } finally {
    await task.destroy();
  }
}
