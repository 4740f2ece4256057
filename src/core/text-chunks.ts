/**
 * Text written in many lines (an export's journal, load files and manifest parts) goes out as
 * UTF-8 buffers made from about this many characters at a time. A joined string over V8's
 * large-object size (128 KB: 64K characters once one of them is outside Latin-1, as Chinese
 * names and subjects are) is mapped and unmapped on its own, and joining 500 load-file rows
 * into one cost about 8x the CPU of joining them 16,000 characters at a time.
 */
export const TEXT_CHUNK_CHARS = 1 << 14;

/** `lines` (each already ended as the caller wants) as UTF-8 buffers of about TEXT_CHUNK_CHARS characters. */
export function textChunks(lines: Iterable<string>, maxChars = TEXT_CHUNK_CHARS): Buffer[] {
  const out: Buffer[] = [];
  let pending: string[] = [];
  let chars = 0;
  for (const line of lines) {
    pending.push(line);
    chars += line.length;
    if (chars >= maxChars) {
      out.push(Buffer.from(pending.join(''), 'utf8'));
      pending = [];
      chars = 0;
    }
  }
  if (pending.length) out.push(Buffer.from(pending.join(''), 'utf8'));
  return out;
}
