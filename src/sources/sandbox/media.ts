/**
 * The sandbox's media: a seeded pool of real files (JPEG, PNG, GIF, AMR, MP4, PDF, CSV) and
 * the sdkfileid index that GetMediaData answers from. Each media message gets its own
 * sdkfileid, as in WeCom; several sdkfileids may share one file's bytes to keep datasets small.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { amrSeconds, encodeAmr, encodeMp4, encodePdf } from './file-formats.js';
import { encodeGif, encodeJpeg, encodePng } from './image-formats.js';
import { Prng } from './prng.js';

export type MediaKind = 'jpeg' | 'png' | 'gif' | 'amr' | 'mp4' | 'pdf' | 'csv';

export interface MediaFile {
  kind: MediaKind;
  bytes: Buffer;
  /** file name inside media/: sha256 of the bytes plus an extension */
  file: string;
  md5: string;
  width?: number;
  height?: number;
  /** play length, seconds (voice, video, recordings) */
  seconds?: number;
  /** the name a sender would give it (files) */
  filename?: string;
}

/** one entry of media/index.json */
export interface MediaIndexEntry {
  file: string;
  size: number;
  md5: string;
}

/** What the generator draws from: by kind, and the long call recording (> 512 KB, so chunking is exercised). */
export interface MediaPool {
  byKind: Record<MediaKind, MediaFile[]>;
  recording: MediaFile;
}

const EXT: Record<MediaKind, string> = {
  jpeg: 'jpg',
  png: 'png',
  gif: 'gif',
  amr: 'amr',
  mp4: 'mp4',
  pdf: 'pdf',
  csv: 'csv',
};

export function mediaFile(kind: MediaKind, bytes: Buffer, extra: Partial<MediaFile> = {}): MediaFile {
  const sha = createHash('sha256').update(bytes).digest('hex');
  const md5 = createHash('md5').update(bytes).digest('hex');
  return { kind, bytes, file: `${sha}.${EXT[kind]}`, md5, ...extra };
}

function jpeg(prng: Prng, width: number, height: number, label: string): MediaFile {
  const blocks = new Uint8Array((width / 8) * (height / 8));
  const base = prng.int(40, 200);
  for (let i = 0; i < blocks.length; i++) blocks[i] = Math.min(255, Math.max(0, base + prng.int(-60, 60)));
  return mediaFile('jpeg', encodeJpeg(width, height, blocks, `sandbox ${label}`), { width, height });
}

function png(prng: Prng, width: number, height: number): MediaFile {
  const pixels = Buffer.alloc(width * height * 3);
  const [r0, g0, b0] = [prng.int(0, 255), prng.int(0, 255), prng.int(0, 255)];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      pixels[o] = (r0 + x * 5) & 0xff;
      pixels[o + 1] = (g0 + y * 7) & 0xff;
      pixels[o + 2] = (b0 + prng.int(0, 40)) & 0xff;
    }
  }
  return mediaFile('png', encodePng({ width, height, pixels }), { width, height });
}

function gif(prng: Prng, size: number): MediaFile {
  const palette: [number, number, number][] = [];
  for (let i = 0; i < 4; i++) palette.push([prng.int(0, 255), prng.int(0, 255), prng.int(0, 255)]);
  const idx = new Uint8Array(size * size);
  for (let i = 0; i < idx.length; i++) idx[i] = ((i % size) + Math.floor(i / size) + prng.int(0, 1)) & 3;
  return mediaFile('gif', encodeGif(size, size, palette, idx), { width: size, height: size });
}

function amr(prng: Prng, seconds: number): MediaFile {
  const bytes = encodeAmr(prng, (seconds * 1000) / 20);
  return mediaFile('amr', bytes, { seconds: amrSeconds(bytes) });
}

const DOCUMENTS: readonly (readonly [string, string, string[]])[] = [
  [
    '债券条款 Bond Term Sheet.pdf',
    'Bond Term Sheet',
    ['Issuer: Example Bank', 'Tenor: 3Y', 'Coupon: 2.85%', 'Rating: AAA'],
  ],
  ['客户风险测评 KYC Questionnaire.pdf', 'KYC Questionnaire', ['Risk level: C3', 'Horizon: 1-3 years', 'Signed: yes']],
  [
    '季度研报 Q3 Research.pdf',
    'Q3 Research Report',
    ['Rates outlook: stable', 'Credit spreads: tighter', 'Not an offer'],
  ],
];

/** The pool for `seed`: independent of the message count, so every dataset of a seed shares it. */
export function buildMediaPool(seed: number): MediaPool {
  const prng = Prng.from(seed, 'media');
  const sizes: [number, number][] = [[64, 48], [48, 64], [96, 64], [32, 32], [128, 96], [80, 80]]; // prettier-ignore
  const jpegs = sizes.map(([w, h], i) => jpeg(prng, w, h, `photo ${seed}-${i}`));
  const pngs = [24, 32, 40, 48].map((s) => png(prng, s, s));
  const gifs = [16, 20, 24].map((s) => gif(prng, s));
  const amrs = [3, 8, 15, 42].map((s) => amr(prng, s));
  const mp4s = [
    mediaFile('mp4', encodeMp4(prng, 12, 700 * 1024), { seconds: 12, width: 720, height: 1280 }),
    mediaFile('mp4', encodeMp4(prng, 5, 90 * 1024), { seconds: 5, width: 640, height: 360 }),
    mediaFile('mp4', encodeMp4(prng, 30, 200 * 1024), { seconds: 30, width: 1280, height: 720 }),
  ];
  const pdfs = DOCUMENTS.map(([filename, title, lines]) =>
    mediaFile('pdf', encodePdf(title, [...lines, `Ref ${prng.digits(8)}`]), { filename }),
  );
  const rows = ['trade_date,code,side,qty,price,counterparty', '2026-11-02,019547.IB,BUY,5000000,100.12,示例证券'];
  for (let i = 0; i < 40; i++) {
    rows.push(
      `2026-11-0${prng.int(1, 5)},${prng.digits(6)}.SH,${prng.pick(['BUY', 'SELL'])},${prng.int(1, 90) * 1000},${(prng.int(900, 1100) / 10).toFixed(2)},样例资管`,
    );
  }
  const csv = mediaFile('csv', Buffer.from(`${rows.join('\r\n')}\r\n`, 'utf8'), {
    filename: '交易流水 Trade Blotter.csv',
  });
  // about 1.5 MB: a 16-minute meeting recording, three GetMediaData chunks
  const recording = amr(prng, 16 * 60 + 23);
  return {
    byKind: { jpeg: jpegs, png: pngs, gif: gifs, amr: amrs, mp4: mp4s, pdf: pdfs, csv: [csv] },
    recording,
  };
}

/** sdkfileid in WeCom's shape: a long opaque base64 string. */
export function newSdkFileId(prng: Prng): string {
  return Buffer.concat([Buffer.from([0x0a, 0xd6, 0x01]), prng.bytes(147)]).toString('base64');
}

export const INDEX_FILE = 'index.json';

export async function readMediaIndex(mediaDir: string): Promise<Record<string, MediaIndexEntry>> {
  try {
    return JSON.parse(await readFile(join(mediaDir, INDEX_FILE), 'utf8')) as Record<string, MediaIndexEntry>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}

/** Replace media/index.json atomically, so a client never reads half of it. */
export async function writeMediaIndex(mediaDir: string, index: Map<string, MediaIndexEntry>): Promise<void> {
  const tmp = join(mediaDir, `${INDEX_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(Object.fromEntries(index)));
  await rename(tmp, join(mediaDir, INDEX_FILE));
}

/** A MediaAllocator over `index`: fresh seeded sdkfileids, `dirty` until the caller writes the index. */
export function indexAllocator(
  prng: Prng,
  pool: MediaPool,
  index: Map<string, MediaIndexEntry>,
): { pool: MediaPool; allocate(file: MediaFile): string; dirty: boolean } {
  const alloc = {
    pool,
    dirty: false,
    allocate(file: MediaFile): string {
      let id = newSdkFileId(prng);
      while (index.has(id)) id = newSdkFileId(prng);
      index.set(id, { file: file.file, size: file.bytes.length, md5: file.md5 });
      alloc.dirty = true;
      return id;
    },
  };
  return alloc;
}

/** Write the pool files that `mediaDir` lacks (appends keep the pool but may find files removed). */
export async function ensureMediaPool(mediaDir: string, pool: MediaPool): Promise<void> {
  await mkdir(mediaDir, { recursive: true });
  const files = [...Object.values(pool.byKind).flat(), pool.recording];
  await Promise.all(
    files.map(async (f) => {
      try {
        if ((await stat(join(mediaDir, f.file))).size === f.bytes.length) return;
      } catch {
        // absent: write it below
      }
      await writeFile(join(mediaDir, f.file), f.bytes);
    }),
  );
}
