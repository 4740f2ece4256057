import { crc32, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePdf } from './file-formats.js';
import { encodeGif, encodeJpeg, encodePng } from './image-formats.js';
import { buildMediaPool } from './media.js';

function pngChunks(png: Buffer): { type: string; data: Buffer }[] {
  const out: { type: string; data: Buffer }[] = [];
  for (let o = 8; o < png.length;) {
    const len = png.readUInt32BE(o);
    const type = png.toString('latin1', o + 4, o + 8);
    const data = png.subarray(o + 8, o + 8 + len);
    expect(png.readUInt32BE(o + 8 + len)).toBe(crc32(png.subarray(o + 4, o + 8 + len)));
    out.push({ type, data });
    o += 12 + len;
  }
  return out;
}

describe('image encoders', () => {
  it('PNG: chunks carry valid CRCs and IDAT inflates to the filtered rows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer(), (w, h, seed) => {
        const pixels = Buffer.alloc(w * h * 3, seed & 0xff);
        const png = encodePng({ width: w, height: h, pixels });
        const chunks = pngChunks(png);
        expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
        const raw = inflateSync(chunks[1]?.data as Buffer);
        expect(raw.length).toBe((w * 3 + 1) * h);
        expect(raw.subarray(1, 1 + w * 3).equals(pixels.subarray(0, w * 3))).toBe(true);
      }),
    );
  });

  it('JPEG: baseline markers in order and every 0xFF in the scan stuffed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (blocks) => {
        const jpg = encodeJpeg(32, 32, blocks, 'c');
        const markers: number[] = [];
        let o = 2;
        while (jpg[o] === 0xff && jpg[o + 1] !== 0xda) {
          markers.push(jpg[o + 1] as number);
          o += 2 + jpg.readUInt16BE(o + 2);
        }
        expect([jpg[0], jpg[1]]).toEqual([0xff, 0xd8]);
        expect(markers).toEqual([0xe0, 0xfe, 0xdb, 0xc0, 0xc4, 0xc4]);
        const scan = jpg.subarray(o + 2 + jpg.readUInt16BE(o + 2), jpg.length - 2);
        for (let i = 0; i < scan.length; i++) if (scan[i] === 0xff) expect(scan[i + 1]).toBe(0);
        expect([jpg[jpg.length - 2], jpg[jpg.length - 1]]).toEqual([0xff, 0xd9]);
      }),
    );
  });

  it('GIF: header, 4-colour table, sub-blocks that chain to the trailer', () => {
    const gif = encodeGif(5, 3, [[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255]], new Uint8Array(15).fill(2)); // prettier-ignore
    expect(gif.toString('latin1', 0, 6)).toBe('GIF89a');
    expect([gif.readUInt16LE(6), gif.readUInt16LE(8)]).toEqual([5, 3]);
    let o = 13 + 12 + 10 + 1; // header, colour table, image descriptor, LZW minimum code size
    while (gif[o] !== 0) o += 1 + (gif[o] as number);
    expect(gif.length).toBe(o + 2);
    expect(gif[o + 1]).toBe(0x3b);
  });
});

describe('media pool', () => {
  it('is the same for a seed and holds every kind, one file over 1 MB', () => {
    const [p, q] = [buildMediaPool(4), buildMediaPool(4)];
    const files = [...Object.values(p.byKind).flat(), p.recording];
    expect(files.map((f) => f.md5)).toEqual([...Object.values(q.byKind).flat(), q.recording].map((f) => f.md5));
    expect(buildMediaPool(5).byKind.jpeg[0]?.md5).not.toBe(p.byKind.jpeg[0]?.md5);
    expect(p.recording.bytes.length).toBeGreaterThan(1024 * 1024);
    expect(p.recording.bytes.subarray(0, 6).toString('latin1')).toBe('#!AMR\n');
    const mp4 = p.byKind.mp4[0]?.bytes as Buffer;
    const boxes: string[] = [];
    for (let o = 0; o < mp4.length; o += mp4.readUInt32BE(o)) boxes.push(mp4.toString('latin1', o + 4, o + 8));
    expect(boxes).toEqual(['ftyp', 'moov', 'mdat']);
    expect(new Set(files.map((f) => f.file)).size).toBe(files.length);
  });

  it('PDF: the xref offsets point at their objects', () => {
    const pdf = encodePdf('T (1)', ['a\\b', '中文 dropped']).toString('latin1');
    const xref = Number(/startxref\n(\d+)/.exec(pdf)?.[1]);
    expect(pdf.slice(xref, xref + 4)).toBe('xref');
    const offsets = [...pdf.slice(xref).matchAll(/(\d{10}) 00000 n/g)].map((m) => Number(m[1]));
    offsets.forEach((off, i) => expect(pdf.slice(off, off + 8)).toBe(`${i + 1} 0 obj\n`));
    expect(offsets).toHaveLength(6);
    expect(pdf.endsWith('%%EOF\n')).toBe(true);
  });
});
