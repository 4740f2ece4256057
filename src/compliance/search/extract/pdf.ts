/**
 * Text of a PDF through Mozilla's pdf.js (pdfjs-dist, its Node "legacy" build): page by page,
 * a line break where pdf.js sees the end of a line. No fonts are loaded and no code is
 * evaluated (isEvalSupported off): only the text layer is wanted. Runs inside an extraction
 * worker; a damaged or password-protected file throws and the pool reports why.
 */
import { ExtractLimitError, MAX_TEXT_CHARS } from './limits.js';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

/**
 * The built-ins whose functions pdf.js's polyfills may replace: every own data property of these
 * objects is taken before pdf.js loads and put back if it was replaced.
 */
const GUARDED: readonly object[] = [
  JSON,
  Object,
  Object.prototype,
  Function.prototype,
  Array,
  Array.prototype,
  String.prototype,
  Number,
  Math,
  Reflect,
  Promise,
  Promise.prototype,
  Map.prototype,
  Set.prototype,
  ArrayBuffer.prototype,
  Uint8Array.prototype,
  Object.getPrototypeOf(Uint8Array.prototype) as object,
];

let loading: Promise<PdfJs> | undefined;

/**
 * pdf.js's legacy build (the one that runs on Node 20) carries core-js, which on import replaces
 * built-ins of the whole thread: on Node 20, JSON.parse and JSON.stringify (to add JSON.rawJSON),
 * Array.prototype.push (for an engine bug with non-writable lengths) and
 * Function.prototype.toString. The replacements are written in JavaScript: measured, JSON.stringify
 * of 20,000 small objects took 31 times as long and of a 26 MB string 29 times, JSON.parse 2.4
 * times and push twice, for everything the thread did afterwards. pdf.js needs none of what they
 * add (it never calls JSON.rawJSON), so once both its modules are loaded (the worker's module too,
 * which pdf.js would otherwise import on the first document and which brings its own copies) every
 * replaced built-in is put back. What the polyfills add without replacing anything
 * (Promise.withResolvers, Uint8Array.fromBase64, iterator helpers...) stays: pdf.js uses those.
 */
export function loadPdfJs(): Promise<PdfJs> {
  return (loading ??= (async () => {
    const kept = GUARDED.map((o) => {
      const own = new Map<PropertyKey, PropertyDescriptor>();
      for (const k of Reflect.ownKeys(o)) {
        const d = Object.getOwnPropertyDescriptor(o, k)!;
        if ('value' in d) own.set(k, d);
      }
      return { o, own };
    });
    try {
      const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
      // sets globalThis.pdfjsWorker, which pdf.js then runs on this thread instead of importing it
      await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
      return pdfjs;
    } finally {
      for (const { o, own } of kept)
        for (const [k, d] of own) {
          const now = Object.getOwnPropertyDescriptor(o, k);
          if (!now || !('value' in now) || !Object.is(now.value, d.value)) Object.defineProperty(o, k, d);
        }
    }
  })());
}

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

export async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdfjs = await loadPdfJs();
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
