/**
 * Base64 in CRLF-terminated lines of 76 characters (RFC 2045 section 6.8), as a Buffer. Shared
 * by the renderer, which writes attachments this way, and the blob store, which rebuilds a
 * stored message from its skeleton and its media: both must produce the very same bytes.
 */
const LINE = 76;
/** Input bytes per line: 57 bytes are 76 base64 characters. */
export const LINE_BYTES = (LINE / 4) * 3;
/**
 * Input bytes encoded at a time: 1,024 whole lines, whose 77,824 characters stay below V8's
 * large-object size (128 KB). Encoding a 100 KB medium in one string cost ten times as much,
 * each such string being mapped and unmapped on its own.
 */
const BLOCK = LINE_BYTES * 1024;

/** The length of `data`'s base64 lines, each line's CRLF included. */
export function base64LinesLength(bytes: number): number {
  const length = 4 * Math.ceil(bytes / 3);
  return length + Math.ceil(length / LINE) * 2;
}

export function base64Lines(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(base64LinesLength(data.length));
  base64LinesInto(data, out);
  return out;
}

/**
 * `data`'s base64 lines written into `out` from its start (it must hold
 * `base64LinesLength(data.length)` bytes); returns their length. For a caller that consumes
 * the lines at once and so can give the same buffer every time (an export writing a medium read
 * from disk a chunk at a time): no buffer is allocated, and so no memory is left for the
 * collector to count and free.
 */
export function base64LinesInto(data: Buffer, out: Buffer): number {
  let o = 0;
  for (let i = 0; i < data.length; i += BLOCK) {
    // Every block but the last is whole lines, so each block's lines land where they belong.
    const text = data.toString('base64', i, Math.min(i + BLOCK, data.length));
    // Encoded into the end of the block's place in `out`, then each line moved forward to its
    // place and ended: no second buffer, and a line's move never overwrites a line still to be
    // moved (it stays behind).
    const at = o + Math.ceil(text.length / LINE) * 2;
    out.write(text, at, 'latin1');
    const end = at + text.length;
    for (let p = at; p < end; p += LINE) {
      const e = p + LINE < end ? p + LINE : end;
      out.copyWithin(o, p, e);
      o += e - p;
      out[o++] = 13;
      out[o++] = 10;
    }
  }
  return o;
}

/**
 * The same lines as `base64Lines`, as buffers of at most 1,024 lines (77,824 bytes) each: for a
 * reader that writes them out at once (an export's file), each block stays below glibc's mmap
 * threshold (128 KiB, as the installed command sets it), so its memory is reused instead of
 * mapped, faulted in and unmapped for every medium.
 */
export function base64LineBlocks(data: Buffer): Buffer[] {
  if (data.length <= BLOCK) return [base64Lines(data)];
  const out: Buffer[] = [];
  // every block but the last is whole lines, so the blocks end to end are base64Lines(data)
  for (let i = 0; i < data.length; i += BLOCK) out.push(base64Lines(data.subarray(i, i + BLOCK)));
  return out;
}

/**
 * The same lines as `base64Lines`, for bytes that arrive in chunks (a medium streamed from the
 * object store), as blocks of at most 1,024 lines (see base64LineBlocks): the input is cut at
 * whole lines, so the output is byte for byte the same. Only a line's worth of bytes is carried
 * from one chunk to the next (a chunk is never copied whole), and no block is above glibc's
 * mmap threshold, so a large chunk costs no mapping of its own.
 */
export async function* base64LinesOf(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  // the start of a line that the previous chunks left unfinished (fewer than LINE_BYTES bytes)
  let rest = Buffer.alloc(0);
  for await (const chunk of source) {
    let from = 0;
    if (rest.length) {
      from = Math.min(LINE_BYTES - rest.length, chunk.length);
      rest = Buffer.concat([rest, chunk.subarray(0, from)]);
      if (rest.length < LINE_BYTES) continue;
      yield base64Lines(rest);
      rest = Buffer.alloc(0);
    }
    const whole = chunk.length - ((chunk.length - from) % LINE_BYTES);
    if (whole > from) yield* base64LineBlocks(chunk.subarray(from, whole));
    if (whole < chunk.length) rest = Buffer.from(chunk.subarray(whole));
  }
  if (rest.length) yield base64Lines(rest);
}
