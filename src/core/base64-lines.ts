/**
 * Base64 in CRLF-terminated lines of 76 characters (RFC 2045 section 6.8), as a Buffer. Shared
 * by the renderer, which writes attachments this way, and the blob store, which rebuilds a
 * stored message from its skeleton and its media: both must produce the very same bytes.
 */
const LINE = 76;

export function base64Lines(data: Buffer): Buffer {
  const encoded = Buffer.from(data.toString('base64'), 'latin1');
  const lines = Math.ceil(encoded.length / LINE);
  const out = Buffer.allocUnsafe(encoded.length + lines * 2);
  let o = 0;
  for (let p = 0; p < encoded.length; p += LINE) {
    o += encoded.copy(out, o, p, Math.min(p + LINE, encoded.length));
    out[o++] = 13;
    out[o++] = 10;
  }
  return out;
}

/** Input bytes per line: 57 bytes are 76 base64 characters. */
const LINE_BYTES = (LINE / 4) * 3;

/**
 * The same lines as `base64Lines`, for bytes that arrive in chunks (a medium streamed from the
 * object store): the input is cut at whole lines, so the output is byte for byte the same.
 */
export async function* base64LinesOf(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let rest = Buffer.alloc(0);
  for await (const chunk of source) {
    const data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    const whole = data.length - (data.length % LINE_BYTES);
    if (whole > 0) yield base64Lines(data.subarray(0, whole));
    rest = Buffer.from(data.subarray(whole));
  }
  if (rest.length) yield base64Lines(rest);
}
