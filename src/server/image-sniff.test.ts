// Only the five image signatures are previews; SVG, HTML, a PNG name on other bytes and
// truncated headers are not.
import { describe, expect, it } from 'vitest';
import { encodeGif, encodeJpeg, encodePng } from '../sources/sandbox/image-formats.js';
import { sniffImageType } from './image-sniff.js';

const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('sniffImageType', () => {
  it('knows PNG, JPEG, GIF, WebP and BMP by their bytes', () => {
    expect(sniffImageType(encodePng({ width: 2, height: 2, pixels: Buffer.alloc(12) }))).toBe('image/png');
    expect(sniffImageType(encodeJpeg(8, 8, new Uint8Array(64), 'x'))).toBe('image/jpeg');
    expect(sniffImageType(encodeGif(1, 1, [[0, 0, 0]], new Uint8Array(1)))).toBe('image/gif');
    expect(sniffImageType(ascii('RIFF\x24\x00\x00\x00WEBPVP8 '))).toBe('image/webp');
    expect(sniffImageType(ascii(`BM${'\x00'.repeat(30)}`))).toBe('image/bmp');
  });

  it('refuses SVG, HTML, other RIFF files and headers cut short', () => {
    expect(sniffImageType(ascii('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffImageType(ascii('<?xml version="1.0"?><svg/>'))).toBeUndefined();
    expect(sniffImageType(ascii('<!doctype html><script>alert(1)</script>'))).toBeUndefined();
    expect(sniffImageType(ascii('RIFF\x24\x00\x00\x00WAVEfmt '))).toBeUndefined();
    expect(sniffImageType(new Uint8Array([0x89, 0x50, 0x4e]))).toBeUndefined();
    expect(sniffImageType(ascii('BM'))).toBeUndefined();
    expect(sniffImageType(new Uint8Array(0))).toBeUndefined();
  });
});
