/**
 * Text written in many lines (an export's journal, load files and manifest parts) goes out as
 * UTF-8 buffers made from about this many characters at a time. A joined string over V8's
 * large-object size (128 KB: 64K characters once one of them is outside Latin-1, as Chinese
 * names and subjects are) is mapped and unmapped on its own, and joining 500 load-file rows
 * into one cost about 8x the CPU of joining them 16,000 characters at a time.
 */
export const TEXT_CHUNK_CHARS = 1 << 14;

/** Text gathered a line at a time and handed back as UTF-8 buffers of about `maxChars` characters. */
export class TextChunker {
  private pending: string[] = [];
  private chars = 0;

  constructor(private readonly maxChars = TEXT_CHUNK_CHARS) {}

  /** Adds `line`; returns what has gathered once it reaches the bound. */
  put(line: string): Buffer | undefined {
    this.pending.push(line);
    this.chars += line.length;
    return this.chars >= this.maxChars ? this.take() : undefined;
  }

  /** What has gathered so far, as one buffer; undefined when nothing has. */
  take(): Buffer | undefined {
    if (this.pending.length === 0) return undefined;
    const b = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.chars = 0;
    return b;
  }
}

/** `lines` (each already ended as the caller wants) as UTF-8 buffers of about `maxChars` characters. */
export function textChunks(lines: Iterable<string>, maxChars = TEXT_CHUNK_CHARS): Buffer[] {
  const text = new TextChunker(maxChars);
  const out: Buffer[] = [];
  for (const line of lines) {
    const b = text.put(line);
    if (b) out.push(b);
  }
  const rest = text.take();
  if (rest) out.push(rest);
  return out;
}
