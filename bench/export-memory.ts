/**
 * Where an export's memory goes, at a given size: one export of a seeded archive (every item in a
 * review set) in a child process (`export-child.mjs`, the compiled code) that samples its memory
 * every second with the export's phase, and the child's RSS, anonymous and file-backed memory
 * read from /proc. Run it at two sizes to see what grows with the size; pass `--expose-gc` after
 * the format to sample after a full collection (the live heap), `--cpu-prof --cpu-prof-dir=PROFDIR`
 * to profile the child into bench/tmp/profiles.
 *
 *   npm run build && node --import tsx bench/export-memory.ts 20000 eml [--expose-gc]
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { byPhase, caseOfItems, type MemorySample } from './export-case.js';
import { watchProc } from './proc-sample.js';
import { seedArchive } from './seed-archive.js';

const [n = '20000', format = 'eml', ...flags] = process.argv.slice(2);
const tmp = join(import.meta.dirname, 'tmp');
const seeded = await seedArchive({ tmp, items: Number(n), mailboxes: 2000 });
const store = await openStore(seeded.dataDir);
const keys = (await store.db.selectFrom('items').select('key').execute()).map((r) => r.key);
const { caseId, setId } = await caseOfItems(store, keys);
await store.close();

const out = join(tmp, `memory-out-${n}-${format}`);
await rm(out, { recursive: true, force: true });
const child = spawn(
  process.execPath,
  [
    ...flags.map((f) => f.replace('PROFDIR', join(tmp, 'profiles'))),
    join(import.meta.dirname, 'export-child.mjs'),
    ...['--data', seeded.dataDir, '--out', out, '--format', format, '--case-id', String(caseId)],
    ...['--set-id', String(setId), '--sample-ms', '1000'],
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const proc = watchProc(child.pid!, 200);
let text = '';
child.stdout.on('data', (d: Buffer) => (text += d.toString()));
await new Promise((r) => child.on('exit', r));
proc.stop();
await rm(out, { recursive: true, force: true });

const res = JSON.parse(text) as { seconds: number; maxRssMb: number; counts: object; samples: MemorySample[] };
const peak = proc.samples.reduce((a, b) => (b.rssMB > a.rssMB ? b : a));
process.stdout.write(
  JSON.stringify(
    {
      items: Number(n),
      format,
      flags,
      seconds: res.seconds,
      counts: res.counts,
      peakRssMb: res.maxRssMb,
      atPeak: { anonMb: peak.anonMB, fileMb: peak.fileMB },
      phases: byPhase(res.samples),
    },
    null,
    2,
  ) + '\n',
);
