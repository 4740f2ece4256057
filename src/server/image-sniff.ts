/**
 * The image type of a file from its first bytes (the signatures of the WHATWG MIME Sniffing
 * standard, §6.1), never from the name or the type the sender declared: only a file that
 * really is PNG, JPEG, GIF, WebP or BMP is shown inline. SVG is XML that can carry script
 * and HTML is a document, so neither is ever an image preview here.
 */

const SIGNATURES: { type: string; test: (b: Uint8Array) => boolean }[] = [
  { type: 'image/png', test: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { type: 'image/jpeg', test: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  { type: 'image/gif', test: (b) => ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a') },
  { type: 'image/webp', test: (b) => ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBPVP') },
  { type: 'image/bmp', test: (b) => ascii(b, 0, 'BM') && b.length > 14 },
];

function startsWith(b: Uint8Array, magic: readonly number[]): boolean {
  return b.length >= magic.length && magic.every((m, i) => b[i] === m);
}

function ascii(b: Uint8Array, at: number, text: string): boolean {
  if (b.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** The image media type the bytes are, or undefined when they are no previewable image. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  return SIGNATURES.find((s) => s.test(bytes))?.type;
}
