/**
 * Structurally valid AMR voice, MP4 video and PDF documents for the sandbox's media: the
 * formats WeCom delivers for voice, video and files, so content sniffing and renderers see
 * what they would see in production. Written by hand: each is a header plus seeded payload.
 */
import type { Prng } from './prng.js';

/** AMR-NB 12.2 kbit/s: a frame is one header byte (FT=7, Q=1) and 31 bytes; one per 20 ms (RFC 4867 §5). */
const AMR_FRAME_HEADER = 0x3c;
const AMR_FRAME_BYTES = 32;
export const AMR_FRAME_MS = 20;

export function encodeAmr(prng: Prng, frames: number): Buffer {
  const magic = Buffer.from('#!AMR\n', 'latin1');
  const body = prng.bytes(frames * AMR_FRAME_BYTES);
  for (let i = 0; i < frames; i++) body[i * AMR_FRAME_BYTES] = AMR_FRAME_HEADER;
  return Buffer.concat([magic, body]);
}

/** seconds of speech in an AMR file made by encodeAmr */
export function amrSeconds(bytes: Buffer): number {
  return Math.max(1, Math.round((((bytes.length - 6) / AMR_FRAME_BYTES) * AMR_FRAME_MS) / 1000));
}

function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length + 8, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

/**
 * ISO BMFF (ISO/IEC 14496-12): `ftyp`, a `moov` with its `mvhd` (duration), and an `mdat`
 * of seeded bytes. A valid container; the samples are not a playable stream.
 */
export function encodeMp4(prng: Prng, seconds: number, payloadBytes: number): Buffer {
  const ftyp = box(
    'ftyp',
    Buffer.from('isom', 'latin1'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isomiso2avc1mp41', 'latin1'),
  );
  const mvhd = Buffer.alloc(100);
  // version 0 / flags 0, creation and modification times 0
  mvhd.writeUInt32BE(1000, 12); // timescale: ms
  mvhd.writeUInt32BE(seconds * 1000, 16); // duration
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  const matrix = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
  matrix.forEach((v, i) => mvhd.writeUInt32BE(v, 36 + i * 4));
  mvhd.writeUInt32BE(2, 96); // next track id
  return Buffer.concat([ftyp, box('moov', box('mvhd', mvhd)), box('mdat', prng.bytes(payloadBytes))]);
}

/** PDF 1.4 with one page of Latin text (core font, so no font embedding) and a correct xref table. */
export function encodePdf(title: string, lines: string[]): Buffer {
  const esc = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?').replace(/([\\()])/g, '\\$1');
  const text = [title, '', ...lines].map(
    (l, i) => `BT /F1 ${i === 0 ? 16 : 11} Tf 56 ${760 - i * 18} Td (${esc(l)}) Tj ET`,
  );
  const stream = text.join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Title (${esc(title)}) /Producer (wechat-archiver sandbox) >>`,
  ];
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
