/**
 * The blob store on local disk against the same operations on S3 (Ceph radosgw, the single-node
 * cluster the tests use, on loopback), in the same run, interleaved: MiB/s to store (durable
 * before it returns: fsync on disk, a 200 from the service), to read back verified in one piece
 * (`get`), and to stream verified (`stream`), for the sizes the archive writes: media just over
 * the 256 KiB inline limit, a few MiB, and blobs large enough to go to S3 in parts.
 *
 *   node --import tsx bench/blob-store.bench.ts [--rounds 3]
 *
 * Writes bench/results/blob-store.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { LocalBlobStore, type BlobStore } from '../src/store/blobs/index.js';
import { S3_DEFAULTS, S3BlobStore } from '../src/store/blobs-s3/index.js';
import { startRadosgw } from '../test/helpers/radosgw.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
const MIB = 2 ** 20;
/** [label, blob size, count]: about 12-40 MiB per set */
const SETS: [string, number, number][] = [
  ['300 KiB', 300 * 1024, 40],
  ['4 MiB', 4 * MIB, 6],
  ['40 MiB (S3: 3 parts)', 40 * MIB, 1],
];

async function timed(mib: number, fn: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await fn();
  return mib / ((performance.now() - t) / 1000);
}

async function measure(store: BlobStore, blobs: Buffer[]) {
  const mib = blobs.reduce((n, b) => n + b.length, 0) / MIB;
  const shas: string[] = [];
  const put = await timed(mib, async () => {
    for (const b of blobs) shas.push((await store.put(b)).sha256);
  });
  const get = await timed(mib, async () => {
    for (const s of shas) await store.get(s);
  });
  const stream = await timed(mib, async () => {
    for (const s of shas) for await (const _ of await store.stream(s));
  });
  for (const s of shas) await store.delete(s);
  return { put, get, stream };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const r1 = (v: number) => Number(v.toFixed(1));

async function main(): Promise<void> {
  const rgw = await startRadosgw();
  const dir = await mkdtemp(join(tmpdir(), 'wxa-bench-blobs-'));
  try {
    const opts = {
      ...S3_DEFAULTS,
      endpoint: rgw.endpoint,
      bucket: 'bench',
      forcePathStyle: true,
      accessKeyId: rgw.accessKeyId,
      secretAccessKey: rgw.secretAccessKey,
    };
    const s3 = new S3BlobStore(opts);
    await s3.client.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const local = new LocalBlobStore(join(dir, 'blobs'));
    const results: Record<string, unknown>[] = [];
    for (const [label, size, count] of SETS) {
      const runs: Record<'local' | 's3', { put: number[]; get: number[]; stream: number[] }> = {
        local: { put: [], get: [], stream: [] },
        s3: { put: [], get: [], stream: [] },
      };
      for (let r = 0; r < rounds; r++) {
        // Fresh bytes each round, so no round finds its blobs already stored.
        const blobs = Array.from({ length: count }, () => randomBytes(size));
        const order: ['local' | 's3', BlobStore][] = [
          ['local', local],
          ['s3', s3],
        ];
        if (r % 2) order.reverse();
        for (const [name, store] of order) {
          const m = await measure(store, blobs);
          for (const k of ['put', 'get', 'stream'] as const) runs[name][k].push(m[k]);
        }
      }
      const row: Record<string, unknown> = { set: label, blobs: count, MiB: r1((size * count) / MIB) };
      for (const k of ['put', 'get', 'stream'] as const) {
        row[k] = {
          localMiBps: runs.local[k].map(r1),
          s3MiBps: runs.s3[k].map(r1),
          ratioMedian: Number((median(runs.s3[k]) / median(runs.local[k])).toFixed(2)),
        };
      }
      results.push(row);
    }
    const result = {
      machine: `${cpus().length} cores ${cpus()[0]?.model ?? ''}; load average ${loadavg()[0]!.toFixed(1)} at the end (shared with other jobs: absolute numbers are noisy, read the ratios)`,
      node: process.version,
      radosgw: rgw.version,
      radosgwStartMs: rgw.startMs,
      note: 'ratio = S3 / local, medians of the rounds; radosgw on one memstore OSD over loopback (no network, no disk for S3)',
      results,
    };
    await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
    await writeFile(join(import.meta.dirname, 'results', 'blob-store.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await rgw.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
