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
import { insertCase, openStore } from '../src/store/index.js';
import { watchProc } from './proc-sample.js';
import { seedArchive } from './seed-archive.js';

const [n = '20000', format = 'eml', ...flags] = process.argv.slice(2);
const tmp = join(import.meta.dirname, 'tmp');
const seeded = await seedArchive({ tmp, items: Number(n), mailboxes: 2000 });
const store = await openStore(seeded.dataDir);
const keys = (await store.db.selectFrom('items').select('key').execute()).map((r) => r.key);
const caseId = await insertCase(store.db, { name: 'memory', description: '', createdBy: 'bench' }, Date.now());
const set = await store.db
  .insertInto('review_sets')
  .values({ case_id: caseId, name: 'all', created_by: 'bench', created_at: Date.now() })
  .returning('id')
  .executeTakeFirstOrThrow();
for (let i = 0; i < keys.length; i += 5000)
  await store.db
    .insertInto('review_set_items')
    .values(
      keys.slice(i, i + 5000).map((k) => ({ review_set_id: set.id, item_key: k, added_by: 'bench', added_at: 0 })),
    )
    .execute();
await store.close();

const out = join(tmp, `memory-out-${n}-${format}`);
await rm(out, { recursive: true, force: true });
const child = spawn(
  process.execPath,
  [
    ...flags.map((f) => f.replace('PROFDIR', join(tmp, 'profiles'))),
    join(import.meta.dirname, 'export-child.mjs'),
    ...['--data', seeded.dataDir, '--out', out, '--format', format, '--case-id', String(caseId)],
    ...['--set-id', String(set.id), '--sample-ms', '1000'],
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const proc = watchProc(child.pid!, 200);
let text = '';
child.stdout.on('data', (d: Buffer) => (text += d.toString()));
await new Promise((r) => child.on('exit', r));
proc.stop();
await rm(out, { recursive: true, force: true });

interface Sample {
  phase: string;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}
const res = JSON.parse(text) as { seconds: number; maxRssMb: number; counts: object; samples: Sample[] };
const phases: Record<string, Omit<Sample, 'phase'>> = {};
for (const { phase, ...m } of res.samples) {
  const p = (phases[phase] ??= { rssMb: 0, heapUsedMb: 0, heapTotalMb: 0, externalMb: 0 });
  for (const k of Object.keys(m) as (keyof typeof m)[]) if (k in p) p[k] = Math.max(p[k], m[k]);
}
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
      phases,
    },
    null,
    2,
  ) + '\n',
);
