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

/**
 * Bytes of UTF-8 gathered at a time by Utf8Chunks: 48K characters of text that is all Chinese,
 * and below glibc's mmap threshold (128 KiB, as the installed command sets it).
 */
const UTF8_CHUNK_BYTES = 64 * 1024;

/**
 * Text gathered a line at a time as UTF-8, each line encoded straight into one buffer that is
 * reused for the life of the writer, and handed on when it is nearly full, to be consumed at once
 * (written out; it is valid only until the next `put`). For the writers that go through every
 * item on the export's own thread (its journal and load files): the lines are never joined into
 * one string, measured nor copied again, and no buffer is made per chunk. The bytes are the same
 * as TextChunker's for the same lines (a line never ends inside a character).
 */
export class Utf8Chunks {
  private readonly buf = Buffer.allocUnsafe(UTF8_CHUNK_BYTES);
  private used = 0;

  constructor(private readonly out: (chunk: Buffer) => void) {}

  put(line: string): void {
    // a UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4)
    if (this.used + line.length * 3 > this.buf.length) {
      this.flush();
      if (line.length * 3 > this.buf.length) {
        this.out(Buffer.from(line, 'utf8'));
        return;
      }
    }
    this.used += this.buf.write(line, this.used, 'utf8');
  }

  /** Hands on what has gathered, if anything. */
  flush(): void {
    if (this.used === 0) return;
    const chunk = this.buf.subarray(0, this.used);
    this.used = 0;
    this.out(chunk);
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
