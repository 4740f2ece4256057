/**
 * What exporting on both cores could gain, measured before building it: one EML export of N items
 * against two exports of half the items each (alternate blocks of 500, so both halves span the
 * archive's time and custodians), run side by side in two processes, each writing its own
 * folder. Both sides run the compiled export (`export-child.mjs`), start with nothing dirty and
 * the archive warm, and end with a `sync`; they alternate for `--rounds` rounds. The time of the
 * pair against the single export is the most a split export could gain on this machine (two
 * processes share nothing: no journal, no ordering, no hand-off).
 *
 *   npm run build && node --import tsx bench/export-split.ts [--items 100000] [--rounds 3]
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { openStore } from '../src/store/index.js';
import { caseOfItems } from './export-case.js';
import { settle, warm } from './export-ceiling.js';
import { seedArchive } from './seed-archive.js';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    mailboxes: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    note: { type: 'string', default: 'shared machine: compare the ratios of the same run, not the absolute numbers' },
  },
});
const N = Number(values.items);
const tmp = join(import.meta.dirname, 'tmp');
const log = (l: string) => process.stderr.write(`${l}\n`);
const seeded = await seedArchive({ tmp, items: N, mailboxes: Number(values.mailboxes), log });

const store = await openStore(seeded.dataDir);
const keys = (await store.db.selectFrom('items').select('key').orderBy('msg_time').limit(N).execute()).map(
  (r) => r.key,
);
const halves: [string[], string[]] = [[], []];
keys.forEach((k, i) => halves[Math.floor(i / 500) % 2]!.push(k));
const whole = await caseOfItems(store, keys);
const parts = [await caseOfItems(store, halves[0]), await caseOfItems(store, halves[1])];
await store.close();

const work = join(tmp, `export-split-${N}`);
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
let phase = 0;

interface Child {
  seconds: number;
  counts: { items: number };
  cpu: { user: number; system: number };
}

function exportChild(sel: { caseId: number; setId: number }): Promise<Child> {
  const out = join(work, `eml-${++phase}`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(import.meta.dirname, 'export-child.mjs'),
        ...['--data', seeded.dataDir, '--out', out, '--format', 'eml'],
        ...['--case-id', String(sel.caseId), '--set-id', String(sel.setId)],
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(text) as Child) : reject(new Error(`export exited ${code}`)),
    );
  });
}

/** Wall time from the start to a `sync` after the last process exits, and each process's CPU. */
async function timed(sels: { caseId: number; setId: number }[]) {
  await warm([seeded.dataDir]);
  await settle();
  const t0 = performance.now();
  const children = await Promise.all(sels.map(exportChild));
  await settle();
  const seconds = (performance.now() - t0) / 1000;
  const items = children.reduce((s, c) => s + c.counts.items, 0);
  if (items !== N) throw new Error(`exported ${items} items, not ${N}`);
  return {
    seconds: +seconds.toFixed(2),
    cpu: children.map((c) => ({ user: +c.cpu.user.toFixed(1), system: +c.cpu.system.toFixed(1) })),
    load: +loadavg()[0]!.toFixed(2),
  };
}

const rounds = [];
for (let r = 0; r < Number(values.rounds); r++) {
  // alternate which side goes first, so a drifting load favours neither
  const one = r % 2 === 0 ? await timed([whole]) : undefined;
  const two = await timed(parts);
  const single = one ?? (await timed([whole]));
  const row = { round: r + 1, single, split: two, ratio: +(two.seconds / single.seconds).toFixed(3) };
  log(JSON.stringify(row));
  rounds.push(row);
}
const ratios = rounds.map((r) => r.ratio).sort((a, b) => a - b);
const result = {
  at: new Date().toISOString(),
  items: N,
  note: values.note,
  rounds,
  medianRatio: ratios[Math.floor(ratios.length / 2)],
};
await writeFile(join(import.meta.dirname, 'results', 'export-split.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify({ medianRatio: result.medianRatio, ratios })}\n`);
await rm(work, { recursive: true, force: true });
