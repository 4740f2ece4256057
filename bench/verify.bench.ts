/**
 * `verify` blob read rate (through the blob store's verified stream) against `sha256sum` over
 * the same blob files, in the same run, interleaved, caches warm for both (each pass reads every
 * file once before timing starts); the bare file hash without the store is measured beside them.
 *
 *   node --import tsx bench/verify.bench.ts [--messages 3000] [--files 100] [--rounds 3]
 *
 * Writes bench/results/verify.json.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { verifyArchive } from '../src/compliance/evidence/index.js';
import { parseConfig } from '../src/config/index.js';
import { runConnector } from '../src/pipeline/index.js';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { hashLocalFile } from '../src/store/blobs/hash-file.js';
import { LocalBlobFiles, LocalBlobStore } from '../src/store/blobs/index.js';
import { openStore } from '../src/store/index.js';
import { SOURCES } from '../src/sources/index.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    files: { type: 'string', default: '100' },
  },
});
const fileCount = Number(values.files);
const messages = Number(values.messages);
const rounds = Number(values.rounds);
const tmp = join(import.meta.dirname, 'tmp');
const tenant = join(tmp, `verify-tenant-${messages}`);
const dataDir = join(tmp, `verify-data-${messages}`);

async function files(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && /^[0-9a-f]{64}$/.test(e.name)) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

async function main(): Promise<void> {
  await mkdir(tmp, { recursive: true });
  if (!existsSync(join(dataDir, 'archive.db'))) {
    await rm(dataDir, { recursive: true, force: true });
    await generateTenant({ outDir: tenant, seed: 5, messages });
    const cfg = parseConfig(
      { dataDir, workers: 2, connectors: [{ id: 'bench', source: { kind: 'sandbox', dir: tenant } }] },
      'bench',
      tmp,
    );
    const store = await openStore(dataDir);
    await runConnector(store, cfg.connectors[0]!, { sources: SOURCES, workers: 2 });
    await store.close();
  }
  // The sandbox keeps most media inline (under 256 KiB), so large blob files are added through
  // the blob store itself: the same layout and the same files verify reads in an archive.
  const extra = new LocalBlobFiles(join(tmp, `verify-files-${fileCount}`));
  if (!existsSync(extra.root)) {
    for (let i = 0; i < fileCount; i++) await extra.put(randomBytes(256 * 1024 + ((i * 7919) % (4 * 2 ** 20))));
  }
  const list = [...(await files(join(dataDir, 'blobs'))), ...(await files(extra.root))];
  let bytes = 0;
  for (const f of list) bytes += (await stat(f)).size;
  const mib = bytes / 2 ** 20;
  const ours: number[] = [];
  const theirs: number[] = [];
  const sha256sum = async () => {
    for (let i = 0; i < list.length; i += 500) await run('sha256sum', list.slice(i, i + 500), { maxBuffer: 1 << 26 });
  };
  // Through the blob store's verified stream, the path verify takes for every blob file.
  const stores = new Map<string, LocalBlobStore>();
  const hashAll = async () => {
    for (const f of list) {
      const root = dirname(dirname(dirname(f)));
      if (!stores.has(root)) stores.set(root, new LocalBlobStore(root));
      for await (const _ of await stores.get(root)!.stream(basename(f)));
    }
  };
  // The bare hash of each file, without the store's stream: what the seam costs on top.
  const hashBare = async () => {
    for (const f of list) await hashLocalFile(f);
  };
  const bare: number[] = [];
  await sha256sum(); // warm the page cache for both
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    await sha256sum();
    theirs.push(mib / ((performance.now() - t) / 1000));
    t = performance.now();
    await hashAll();
    ours.push(mib / ((performance.now() - t) / 1000));
    t = performance.now();
    await hashBare();
    bare.push(mib / ((performance.now() - t) / 1000));
  }
  // the whole verify, for scale: every blob (inline too), rows, chains, checkpoints, seq
  const store = await openStore(dataDir);
  const t = performance.now();
  const report = await verifyArchive(store);
  const verifyMs = performance.now() - t;
  await store.close();
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const result = {
    machine: `${cpus().length} cores ${cpus()[0]?.model ?? ''}; load average ${loadavg()[0]!.toFixed(1)} at the end (shared with other jobs)`,
    node: process.version,
    blobFiles: list.length,
    blobFileMiB: Number(mib.toFixed(1)),
    sha256sumMiBps: theirs.map((v) => Number(v.toFixed(1))),
    verifyHashMiBps: ours.map((v) => Number(v.toFixed(1))),
    ratioMedian: Number((median(ours) / median(theirs)).toFixed(2)),
    bareHashMiBps: bare.map((v) => Number(v.toFixed(1))),
    bareRatioMedian: Number((median(bare) / median(theirs)).toFixed(2)),
    fullVerify: {
      ok: report.ok,
      ms: Math.round(verifyMs),
      blobs: report.blobs.checked,
      blobMiB: Number((report.blobs.bytes / 2 ** 20).toFixed(1)),
      items: report.ingest.items,
      ingestEvents: report.ingest.events,
    },
  };
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(join(import.meta.dirname, 'results', 'verify.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

await main();
