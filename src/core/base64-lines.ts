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
