/**
 * Export benchmark: N items (default 100,000) of a seeded archive exported to EML with DAT and
 * CSV load files, and to RSMF, against copying the same bytes as files with `cp -r` followed by
 * `sync` (the ceiling: the least any durable export of these files must do; the export makes its
 * files durable, `cp -r` alone leaves them in the page cache). Ceilings and exports alternate
 * (C E C E C with `--rounds 2`; with `--baseline`, C E B C B E C), every phase starting with nothing dirty and its sources warm
 * (see export-ceiling.ts); medians, spreads and each export's ratio to its neighbouring ceilings
 * are reported. Each export is the installed command (`bin/wechat-archiver.js export`, which
 * runs the bundle), in a process of its own so its peak RSS and CPU are its own (`--cpu-prof`
 * profiles them into bench/tmp), so build first. `--baseline DIR` runs an earlier build's command
 * too (DIR holds its bin/, dist-bundle/ and node_modules/).
 *
 *   npm run build && node --import tsx bench/export.bench.ts [--items 100000] [--mailboxes 2000]
 *     [--formats eml,rsmf] [--rounds 2] [--heap-mb N] [--cpu-prof] [--note TEXT] [--out NAME.json]
 *     [--baseline DIR --baseline-note TEXT]
 *
 * Writes bench/results/export.json (export-eml.json with `--formats eml`). Target: EML at least
 * 0.5 of the ceiling, RSS under 300 MB.
 */
import { spawn } from 'node:child_process';
import { link, mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { custodianFolder } from '../src/compliance/export/names.js';
import { openStore } from '../src/store/index.js';
import { caseOfItems } from './export-case.js';
import {
  awaitRemovals,
  REMOVAL_SETTLE_MS,
  ceilingRun,
  median,
  removeNoted,
  round,
  settle,
  spread,
  warm,
  type CeilingRun,
} from './export-ceiling.js';
import { seedArchive } from './seed-archive.js';
import { stealWatch } from './machine.js';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    mailboxes: { type: 'string', default: '2000' },
    'cpu-prof': { type: 'boolean', default: false },
    /** cap the children's V8 old space (MB), to show the working set apart from lazy GC */
    'heap-mb': { type: 'string' },
    formats: { type: 'string', default: 'eml,rsmf' },
    /** an earlier build's root (its bin/, dist-bundle/ and node_modules): its EML export runs beside this one's in each round */
    baseline: { type: 'string' },
    /** EML: the export's writing threads (`export --threads`; default: the export's own default) */
    threads: { type: 'string' },
    /** the same for the baseline's export (e.g. `--baseline . --baseline-threads 0`: this build on one thread) */
    'baseline-threads': { type: 'string' },
    'baseline-note': { type: 'string', default: '' },
    /** exports per format, each between two ceiling runs */
    rounds: { type: 'string', default: '2' },
    /**
     * `distinct` (default): every item its own stored message and media, as in a real archive;
     * `shared`: the items share the 2,000 messages of the seed's template (every run before
     * 2026-12-06 08:47 UTC)
     */
    messages: { type: 'string', default: 'distinct' },
    /** the results file's name under bench/results (default: by format, see below) */
    out: { type: 'string' },
    /** what the results file says about the machine while it ran (its load) */
    note: { type: 'string', default: 'shared machine: compare the ratios of the same run, not the absolute numbers' },
  },
});

const N = Number(values.items);
/** this build's root: its installed command runs the bundle `npm run build` made */
const ROOT = join(import.meta.dirname, '..');
const tmp = join(import.meta.dirname, 'tmp');
const log = (l: string) => process.stderr.write(`${l}\n`);
if (values.messages !== 'distinct' && values.messages !== 'shared')
  throw new Error(`--messages ${values.messages}: give distinct or shared`);
const seeded = await seedArchive({
  tmp,
  items: N,
  mailboxes: Number(values.mailboxes),
  distinct: values.messages === 'distinct',
  log,
});
log(`archive: ${seeded.items} items (${seeded.cached ? 'cached' : `seeded in ${seeded.seedSeconds}s`})`);

// A case whose review set holds every item: the export selection.
const store = await openStore(seeded.dataDir);
const keys = (await store.db.selectFrom('items').select('key').orderBy('msg_time').limit(N).execute()).map(
  (r) => r.key,
);
const { caseId, setId } = await caseOfItems(store, keys);

// The ceiling's source: the same bytes, one file per item, laid out as the export lays out its
// files (a folder per custodian: the item's first mailbox, 1,635 folders here), so the ceiling is
// a copy of the very tree the export writes. Until 2026-12-06 17:30 UTC it was laid out in 64
// folders (some 1,560 files each), which an earlier check found no different from the export's
// layout within that run's noise; copied from a warm source on a quiet machine, three rounds
// alternating, the 64 folders took 8.3-9.1 s (6.6-7.3 s of system CPU) against 5.9-6.2 s (4.2-4.4
// s) for the export's folders: large folders cost ext4 more for each file made in them. The 64
// folders are still copied beside each ceiling (hard links to the same files), for comparison
// with the runs before (`ceilingFolders64`), not for the ratios.
const work = join(tmp, `export-${N}`);
// when this run's outputs (and an earlier run's) were removed, so that no timed phase measures a removal
const removedMarker = join(tmp, 'export-removed-at');
await removeNoted(work, removedMarker);
const src = join(work, 'src');
const src64 = join(work, 'src-64');
let bytes = 0;
for (let i = 0; i < keys.length; i += 1000) {
  const batch = await store.db
    .selectFrom('items')
    .select((eb) => [
      'key',
      'mime_sha256',
      // the custodian an EML export files the item under: its first mailbox (exportItemRows)
      eb
        .selectFrom('mailbox_entries')
        .select((m) => m.fn.min('mailbox').as('m'))
        .whereRef('mailbox_entries.item_key', '=', 'items.key')
        .as('custodian'),
    ])
    .where('key', 'in', keys.slice(i, i + 1000))
    .execute();
  for (const [j, r] of batch.entries()) {
    const mime = await store.blobs.read(store.db, r.mime_sha256);
    bytes += mime.length;
    const file = join(src, custodianFolder(r.custodian ?? undefined), `${i + j}.eml`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, mime);
    const file64 = join(src64, String((i + j) % 64), `${i + j}.eml`);
    await mkdir(dirname(file64), { recursive: true });
    await link(file, file64);
  }
}
await store.close();
log(`ceiling source: ${keys.length} files, ${(bytes / 1e6).toFixed(1)} MB`);

let phase = 0;
/** Every phase starts with nothing dirty and both sources (the ceiling's files, the archive) warm. */
async function prepare(): Promise<number> {
  await warm([src, seeded.dataDir]);
  return settle();
}

type Ceiling = CeilingRun & { settleSeconds: number; stealPercent: number | null };
async function copyOf(from: string, name: string): Promise<Ceiling> {
  const settleSeconds = await prepare();
  const stolen = stealWatch();
  const c = await ceilingRun(from, join(work, `copy-${++phase}`));
  const stealPercent = stolen();
  log(
    `${name}: cp -r ${c.cpSeconds.toFixed(1)} s, then sync ${c.syncSeconds.toFixed(1)} s (settle ${settleSeconds.toFixed(1)} s, steal ${String(stealPercent)}%)`,
  );
  return { ...c, settleSeconds, stealPercent };
}

/** The copies of the export's layout (the ceiling) and of the 64 folders of the runs before. */
const folders64: Ceiling[] = [];
let ceilings64First = false;
async function ceiling(): Promise<Ceiling> {
  // each first in every other slot, so neither always follows an export
  ceilings64First = !ceilings64First;
  if (ceilings64First) folders64.push(await copyOf(src64, 'copy of 64 folders'));
  const c = await copyOf(src, 'ceiling');
  if (!ceilings64First) folders64.push(await copyOf(src64, 'copy of 64 folders'));
  return c;
}

interface ExportRun {
  /** from spawning the export's process to a `sync` after it exits (the export syncs as it goes) */
  seconds: number;
  /** the `sync` after it: what it left dirty (its last files are durable already) */
  syncSeconds: number;
  settleSeconds: number;
  /** the share of all cores' time the host took back meanwhile (vmstat's `st`), percent */
  stealPercent: number | null;
  /** the process's peak RSS (GNU time's maximum resident set size of the command) */
  peakRssMb: number;
  /** CPU time of the export's process, all its threads */
  cpuSeconds: { user: number; system: number };
  bytesWritten: number;
  items: number;
}

/**
 * One export as a user runs it: the installed command (`bin/wechat-archiver.js`, which runs the
 * bundle) of this build or of the earlier build under `root`, `export --case --review-set`,
 * timed by GNU time for its CPU and peak RSS (a process it starts is forked from GNU time, not
 * from this large process, so the peak is the export's own).
 */
async function measure(format: 'eml' | 'rsmf', root = ROOT, threads?: string): Promise<ExportRun> {
  const out = join(work, `${format}-${++phase}`);
  const settleSeconds = await prepare();
  const stolen = stealWatch();
  const t0 = performance.now();
  const child = spawn(
    '/usr/bin/time',
    [
      ...['-f', 'wxa-export-time %U %S %M', process.execPath],
      ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', join(tmp, 'profiles')] : []),
      ...(values['heap-mb'] ? [`--max-old-space-size=${values['heap-mb']}`] : []),
      join(root, 'bin', 'wechat-archiver.js'),
      ...['export', '--data-dir', seeded.dataDir, '--case', String(caseId), '--review-set', String(setId)],
      ...['--format', format, '--out', out, '--json'],
      ...(threads !== undefined ? ['--threads', threads] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let outText = '';
  let errText = '';
  child.stdout.on('data', (d: Buffer) => (outText += d.toString()));
  child.stderr.on('data', (d: Buffer) => (errText += d.toString()));
  const code = await new Promise((r) => child.on('exit', r));
  const t1 = performance.now();
  await settle();
  const t2 = performance.now();
  const stealPercent = stolen();
  if (code !== 0) throw new Error(`the ${format} export exited with ${String(code)}: ${errText}`);
  const r = JSON.parse(outText) as { counts: { items: number; bytes: number } };
  const time = /wxa-export-time ([\d.]+) ([\d.]+) (\d+)/.exec(errText);
  if (!time) throw new Error(`GNU time reported nothing for the ${format} export: ${errText}`);
  const peakRssMb = Number(time[3]) / 1024;
  log(
    `${format}: ${((t2 - t0) / 1000).toFixed(1)} s, peak RSS ${peakRssMb.toFixed(0)} MB, steal ${String(stealPercent)}%`,
  );
  return {
    seconds: (t2 - t0) / 1000,
    syncSeconds: (t2 - t1) / 1000,
    settleSeconds,
    stealPercent,
    peakRssMb,
    cpuSeconds: { user: Number(time[1]), system: Number(time[2]) },
    bytesWritten: r.counts.bytes,
    items: r.counts.items,
  };
}

// Ceilings interleaved with exports (C E C E C ... with --rounds 2), so that each export has a
// ceiling measured just before and just after it: the disk's speed drifts with other jobs' traffic.
// No timed phase within minutes of a removal (see REMOVAL_SETTLE_MS): the earlier run's
// outputs, removed at its end or above; then an untimed copy, which pays for whatever else is left.
const settleWaitSeconds = await awaitRemovals(removedMarker, log);
await ceilingRun(src, join(work, 'copy-0'));
const load0 = loadavg()[0]!;
const formats = values.formats.split(',') as ('eml' | 'rsmf')[];
const rounds = Number(values.rounds);
const ceilings = [await ceiling()];
const exports = new Map<string, { run: ExportRun; before: number; after: number }[]>();
const record = (name: string, run: ExportRun) =>
  exports.set(name, [...(exports.get(name) ?? []), { run, before: ceilings.length - 1, after: ceilings.length }]);
for (let r = 0; r < rounds; r++)
  for (const format of formats) {
    // The earlier build's EML export next to this one's, between the same two ceilings, first
    // in every other round (C E B C B E C ...): neither build always runs just after a ceiling.
    const baselineFirst = values.baseline !== undefined && format === 'eml' && r % 2 === 1;
    if (baselineFirst) record('emlBaseline', await measure(format, values.baseline, values['baseline-threads']));
    record(format, await measure(format, undefined, format === 'eml' ? values.threads : undefined));
    if (values.baseline && format === 'eml' && !baselineFirst)
      record('emlBaseline', await measure(format, values.baseline, values['baseline-threads']));
    ceilings.push(await ceiling());
  }
const load1 = loadavg()[0]!;

const cpSync = ceilings.map((c) => c.cpSyncSeconds);
const cpOnly = ceilings.map((c) => c.cpSeconds);
function summary(format: string) {
  const list = exports.get(format);
  if (!list) return 'not measured in this run';
  const secs = list.map((e) => e.run.seconds);
  return {
    export: spread(secs, keys.length),
    /** export rate / ceiling rate, medians of this run: the target is 0.5 for EML */
    ratioOfMedians: round(median(cpSync) / median(secs)),
    /** the same against `cp -r` alone, whose files are not yet on disk when it returns */
    ratioOfMediansToCpOnly: round(median(cpOnly) / median(secs)),
    /** each export against the ceiling just before it and the one just after it */
    ratioPerPair: list.map((e) => ({
      before: round(cpSync[e.before]! / e.run.seconds),
      after: round(cpSync[e.after]! / e.run.seconds),
    })),
    /**
     * each export against the mean of the ceilings just before and just after it: the machine's
     * state drifts during a run (see bench/README.md), and the two neighbours bracket the export
     */
    ratioToNeighbours: list.map((e) => round((cpSync[e.before]! + cpSync[e.after]!) / 2 / e.run.seconds)),
    /** the host's CPU steal during each export, percent (the ceilings' is in ceiling.runs) */
    stealPercent: list.map((e) => e.run.stealPercent),
    peakRssMb: round(Math.max(...list.map((e) => e.run.peakRssMb)), 1),
    runs: list.map((e) => ({ ...e.run, ceilingBefore: e.before, ceilingAfter: e.after })),
  };
}

const cpuOf = (r: ExportRun): number => r.cpuSeconds.user + r.cpuSeconds.system;

function speedup() {
  const a = exports.get('eml') ?? [];
  const b = exports.get('emlBaseline') ?? [];
  return {
    ofMedians: round(median(b.map((e) => e.run.seconds)) / median(a.map((e) => e.run.seconds))),
    perRound: a.map((e, i) => round(b[i]!.run.seconds / e.run.seconds)),
    /** this build's CPU (user + system, all threads) over the earlier build's: the figure the load moves least */
    cpuOfMedians: round(median(a.map((e) => cpuOf(e.run))) / median(b.map((e) => cpuOf(e.run)))),
    userCpuOfMedians: round(median(a.map((e) => e.run.cpuSeconds.user)) / median(b.map((e) => e.run.cpuSeconds.user))),
  };
}

const result = {
  date: new Date().toISOString(),
  machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`,
  note: values.note,
  loadAverage1m: { before: load0, after: load1 },
  items: keys.length,
  bytes,
  /** distinct: each item its own stored message and media; shared: the template's 2,000 messages */
  messages: values.messages,
  method: `no phase within ${REMOVAL_SETTLE_MS / 1000} s of a removal of the benchmark's outputs (it waits); each phase starts with sync (nothing dirty) and the ceiling source and the archive read just before (warm in the page cache); the ceiling is cp -r then sync timed together, of the same files in the folders the export writes them into (a copy of the 64-folder layout of earlier runs beside each, for comparison), the export from spawning its process to a sync after it exits`,
  /** seconds this run waited before its first phase for the file system to settle after a removal */
  settleWaitSeconds: round(settleWaitSeconds, 0),
  ceiling: {
    tool: 'cp -r then sync, timed together (cpSeconds: cp -r alone), of the files laid out as the export lays them out (a folder per custodian)',
    cpSync: spread(cpSync, keys.length),
    cpOnly: spread(cpOnly, keys.length),
    runs: ceilings,
  },
  /** the same files in 64 folders, the ceiling of the runs before 2026-12-06 17:30 UTC, copied beside each ceiling: for comparison only */
  ceilingFolders64: {
    cpSync: spread(
      folders64.map((c) => c.cpSyncSeconds),
      keys.length,
    ),
    emlRatioOfMedians: round(
      median(folders64.map((c) => c.cpSyncSeconds)) / median((exports.get('eml') ?? []).map((e) => e.run.seconds)),
    ),
    runs: folders64,
  },
  heapCapMb: values['heap-mb'] ? Number(values['heap-mb']) : null,
  /** EML: the export's writing threads as given (`default`: the export's own default for this machine) */
  emlThreads: values.threads ?? 'default',
  eml: summary('eml'),
  ...(values.baseline
    ? {
        baseline: {
          root: values.baseline,
          note: values['baseline-note'],
          threads: values['baseline-threads'] ?? 'default',
        },
        emlBaseline: summary('emlBaseline'),
        /** the earlier build's median time over this one's; per round, the two exports side by side */
        emlSpeedupOverBaseline: speedup(),
      }
    : {}),
  rsmf: summary('rsmf'),
};
await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
const name = values.out
  ? values.out
  : values['heap-mb']
    ? `export-heap-${values['heap-mb']}mb.json`
    : formats.length === 1
      ? `export-${formats[0]}.json`
      : 'export.json';
await writeFile(join(import.meta.dirname, 'results', name), JSON.stringify(result, null, 2) + '\n');
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
await removeNoted(work, removedMarker);
