/**
 * Tiny but valid PNG, JPEG and GIF encoders for the sandbox's media, so downloaded attachments
 * open in a viewer and renderers see real image bytes. Written by hand because the images are
 * a few hundred bytes of seeded pixels and no image library is a dependency of the project.
 */
import { crc32, deflateSync } from 'node:zlib';

/** 8-bit RGB pixels, row-major, 3 bytes each */
export interface Rgb {
  width: number;
  height: number;
  pixels: Buffer;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** PNG (RFC 2083): colour type 2, filter 0 on every row. */
export function encodePng(img: Rgb): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const stride = img.width * 3;
  const raw = Buffer.alloc((stride + 1) * img.height);
  for (let y = 0; y < img.height; y++) img.pixels.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// JPEG: the standard luminance DC table (ITU T.81 Annex K.3) and an AC table holding only
// EOB, enough for images whose 8x8 blocks are flat (DC only). Each block may differ.
const DC_COUNTS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_SYMBOLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_COUNTS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_SYMBOLS = [0x00];

/** canonical Huffman codes (T.81 Annex C) as [code, length] per symbol */
function huffmanCodes(counts: number[], symbols: number[]): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < (counts[len - 1] ?? 0); i++) out.set(symbols[k++] as number, [code++, len]);
    code <<= 1;
  }
  return out;
}

class BitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, len: number): void {
    for (let i = len - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >>> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0x00); // byte stuffing, T.81 F.1.2.3
    this.acc = 0;
    this.n = 0;
  }
  finish(): Buffer {
    while (this.n !== 0) this.write(1, 1); // pad with 1-bits
    return Buffer.from(this.bytes);
  }
}

function segment(marker: number, body: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

/**
 * Baseline greyscale JPEG whose 8x8 blocks each have the grey level `blocks[i]` (row-major),
 * `width`/`height` multiples of 8. `comment` goes into a COM segment.
 */
export function encodeJpeg(width: number, height: number, blocks: Uint8Array, comment: string): Buffer {
  const dc = huffmanCodes(DC_COUNTS, DC_SYMBOLS);
  const ac = huffmanCodes(AC_COUNTS, AC_SYMBOLS);
  const bits = new BitWriter();
  let prev = 0;
  for (let i = 0; i < (width / 8) * (height / 8); i++) {
    // with a quantiser of 8, a flat block of level v has DC = 8 * (v - 128) / 8
    const value = (blocks[i] ?? 128) - 128;
    const diff = value - prev;
    prev = value;
    const size = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
    const [code, len] = dc.get(size) as [number, number];
    bits.write(code, len);
    if (size > 0) bits.write(diff > 0 ? diff : diff + (1 << size) - 1, size);
    const [eob, eobLen] = ac.get(0) as [number, number];
    bits.write(eob, eobLen);
  }
  const sof = Buffer.from([8, 0, 0, 0, 0, 1, 1, 0x11, 0]);
  sof.writeUInt16BE(height, 1);
  sof.writeUInt16BE(width, 3);
  const dht = (cls: number, counts: number[], symbols: number[]): Buffer =>
    segment(0xc4, Buffer.from([cls << 4, ...counts, ...symbols]));
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])),
    segment(0xfe, Buffer.from(comment, 'utf8')),
    segment(0xdb, Buffer.from([0, ...new Array<number>(64).fill(8)])),
    segment(0xc0, sof),
    dht(0, DC_COUNTS, DC_SYMBOLS),
    dht(1, AC_COUNTS, AC_SYMBOLS),
    segment(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0])),
    bits.finish(),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/**
 * GIF89a with a 4-colour palette. LZW is avoided by sending a clear code before every
 * two pixels, so the code width stays at 3 bits and the table never grows (a valid stream
 * every decoder reads, at the cost of size, which is irrelevant for these icons).
 */
export function encodeGif(
  width: number,
  height: number,
  palette: [number, number, number][],
  indexes: Uint8Array,
): Buffer {
  const header = Buffer.alloc(13);
  header.write('GIF89a', 0, 'latin1');
  header.writeUInt16LE(width, 6);
  header.writeUInt16LE(height, 8);
  header[10] = 0x80 | 0x01; // global colour table, 2^(1+1) = 4 entries
  const colours = Buffer.alloc(12);
  for (let i = 0; i < 4; i++) {
    const [r, g, b] = palette[i] ?? [0, 0, 0];
    colours[i * 3] = r;
    colours[i * 3 + 1] = g;
    colours[i * 3 + 2] = b;
  }
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(width, 5);
  descriptor.writeUInt16LE(height, 7);

  const CLEAR = 4;
  const END = 5;
  const out: number[] = [];
  let acc = 0;
  let n = 0;
  const emit = (code: number): void => {
    acc |= code << n; // GIF packs codes least significant bit first
    n += 3;
    while (n >= 8) {
      out.push(acc & 0xff);
      acc >>>= 8;
      n -= 8;
    }
  };
  for (let i = 0; i < width * height; i++) {
    if (i % 2 === 0) emit(CLEAR);
    emit((indexes[i] ?? 0) & 3);
  }
  emit(END);
  if (n > 0) out.push(acc & 0xff);
  const blocks: number[] = [2]; // LZW minimum code size
  for (let i = 0; i < out.length; i += 255) {
    const part = out.slice(i, i + 255);
    blocks.push(part.length, ...part);
  }
  blocks.push(0);
  return Buffer.concat([header, colours, descriptor, Buffer.from(blocks), Buffer.from([0x3b])]);
}
