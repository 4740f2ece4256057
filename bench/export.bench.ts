/**
 * Export benchmark: N items (default 100,000) of a seeded archive exported to EML with DAT and
 * CSV load files, and to RSMF, against copying the same bytes as files with `cp -r` in the same
 * run (the ceiling: the least any export of these files must write), measured before and after
 * each export; also `cp -r` followed by `sync --file-system`, since the export makes its files
 * durable and `cp -r` alone leaves them in the page cache. Each export runs in a child process
 * so its peak RSS is its own (`--cpu-prof` profiles the children into bench/tmp); the children
 * run the compiled code (export-child.mjs), so build first.
 *
 *   npm run build && node --import tsx bench/export.bench.ts [--items 100000] [--mailboxes 2000] [--cpu-prof]
 *
 * Writes bench/results/export.json. Target: EML at least 0.5 of the ceiling, RSS under 300 MB.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { openStore } from '../src/store/index.js';
import { byPhase, caseOfItems, type MemorySample } from './export-case.js';
import { seedArchive } from './seed-archive.js';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    mailboxes: { type: 'string', default: '2000' },
    'cpu-prof': { type: 'boolean', default: false },
    /** cap the children's V8 old space (MB), to show the working set apart from lazy GC */
    'heap-mb': { type: 'string' },
    formats: { type: 'string', default: 'eml,rsmf' },
  },
});

const N = Number(values.items);
const tmp = join(import.meta.dirname, 'tmp');
const log = (l: string) => process.stderr.write(`${l}\n`);
const seeded = await seedArchive({ tmp, items: N, mailboxes: Number(values.mailboxes), log });
log(`archive: ${seeded.items} items (${seeded.cached ? 'cached' : `seeded in ${seeded.seedSeconds}s`})`);

// A case whose review set holds every item: the export selection.
const store = await openStore(seeded.dataDir);
const keys = (await store.db.selectFrom('items').select('key').orderBy('msg_time').limit(N).execute()).map(
  (r) => r.key,
);
const { caseId, setId } = await caseOfItems(store, keys);

// The ceiling's source: the same bytes, one file per item, in the same folder layout.
const work = join(tmp, `export-${N}`);
await rm(work, { recursive: true, force: true });
const src = join(work, 'src');
let bytes = 0;
for (let i = 0; i < keys.length; i += 1000) {
  const batch = await store.db
    .selectFrom('items')
    .select(['key', 'mime_sha256'])
    .where('key', 'in', keys.slice(i, i + 1000))
    .execute();
  for (const [j, r] of batch.entries()) {
    const mime = await store.blobs.read(store.db, r.mime_sha256);
    bytes += mime.length;
    const file = join(src, String((i + j) % 64), `${i + j}.eml`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, mime);
  }
}
await store.close();
log(`ceiling source: ${keys.length} files, ${(bytes / 1e6).toFixed(1)} MB`);

const run = promisify(execFile);
/** Flushes what earlier steps left dirty, so that no step pays for another's writeback. */
const settle = () => run('sync', ['--file-system', work]);

interface Ceiling {
  /** `cp -r` alone: its files are in the page cache, not on disk, when it returns */
  cpSeconds: number;
  cpItemsPerSecond: number;
  /** `cp -r` then `sync --file-system`: its files on disk, as an export's are */
  cpSyncSeconds: number;
  cpSyncItemsPerSecond: number;
}

async function ceiling(): Promise<Ceiling> {
  const copy = join(work, 'copy');
  await rm(copy, { recursive: true, force: true });
  await settle();
  const c0 = performance.now();
  await run('cp', ['-r', src, copy]);
  const c1 = performance.now();
  await settle();
  const c2 = performance.now();
  await rm(copy, { recursive: true, force: true });
  await settle();
  const cpSeconds = (c1 - c0) / 1000;
  const cpSyncSeconds = (c2 - c0) / 1000;
  log(`cp -r: ${cpSeconds.toFixed(1)} s, with sync ${cpSyncSeconds.toFixed(1)} s`);
  return {
    cpSeconds,
    cpItemsPerSecond: keys.length / cpSeconds,
    cpSyncSeconds,
    cpSyncItemsPerSecond: keys.length / cpSyncSeconds,
  };
}

interface ChildResult {
  seconds: number;
  counts: { items: number; bytes: number };
  maxRssMb: number;
  samples: MemorySample[];
}

async function measure(format: 'eml' | 'rsmf'): Promise<ChildResult> {
  await settle();
  const child = spawn(
    process.execPath,
    [
      ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', join(tmp, 'profiles')] : []),
      ...(values['heap-mb'] ? [`--max-old-space-size=${values['heap-mb']}`] : []),
      join(import.meta.dirname, 'export-child.mjs'),
      '--data',
      seeded.dataDir,
      '--out',
      join(work, format),
      '--format',
      format,
      '--case-id',
      String(caseId),
      '--set-id',
      String(setId),
      '--sample-ms',
      '1000',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let outText = '';
  child.stdout.on('data', (d: Buffer) => (outText += d.toString()));
  await new Promise((r) => child.on('exit', r));
  log(`${format}: ${outText.trim().slice(0, 200)}`);
  await rm(join(work, format), { recursive: true, force: true });
  return JSON.parse(outText) as ChildResult;
}

// The ceiling is measured before and after each export, and the export is compared with the
// mean of the two: on a shared machine the ceiling drifts with other jobs' disk traffic.
const load0 = loadavg()[0]!;
const formats = values.formats.split(',') as ('eml' | 'rsmf')[];
const ceilings: Ceiling[] = [await ceiling()];
const results = new Map<string, unknown>();
for (const format of formats) {
  const r = await measure(format);
  ceilings.push(await ceiling());
  const [b, a] = ceilings.slice(-2) as [Ceiling, Ceiling];
  const cp = (b.cpItemsPerSecond + a.cpItemsPerSecond) / 2;
  const cpSync = (b.cpSyncItemsPerSecond + a.cpSyncItemsPerSecond) / 2;
  const rate = r.counts.items / r.seconds;
  results.set(format, {
    seconds: r.seconds,
    itemsPerSecond: rate,
    ceilingItemsPerSecond: { cp, cpSync },
    ratio: rate / cp,
    ratioToCpSync: rate / cpSync,
    peakRssMb: r.maxRssMb,
    /** peaks per phase of the export, sampled every second (items: the files; files: RSMF; manifest) */
    memoryByPhase: byPhase(r.samples),
    bytesWritten: r.counts.bytes,
  });
}
const load1 = loadavg()[0]!;

const result = {
  date: new Date().toISOString(),
  machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`,
  note: 'shared machine, loaded by other jobs while this ran: compare the ratio, not the absolute numbers',
  loadAverage1m: { before: load0, after: load1 },
  items: keys.length,
  bytes,
  ceiling: {
    tool: 'cp -r (and cp -r then sync --file-system), before and after each export',
    runs: ceilings,
  },
  heapCapMb: values['heap-mb'] ? Number(values['heap-mb']) : null,
  eml: results.get('eml') ?? 'not measured in this run',
  rsmf: results.get('rsmf') ?? 'not measured in this run',
};
await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
const name = values['heap-mb'] ? `export-heap-${values['heap-mb']}mb.json` : 'export.json';
await writeFile(join(import.meta.dirname, 'results', name), JSON.stringify(result, null, 2) + '\n');
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
await rm(work, { recursive: true, force: true });
