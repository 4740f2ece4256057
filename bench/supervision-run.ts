/**
 * One pipeline run for bench/supervision.bench.ts: archives the tenant into a fresh data
 * directory, with a 200-term supervision policy in force or with none, and prints
 * {ms, archived, flagged, terms, flagMs} as JSON. flagMs (policy runs only) is the time the
 * pure flagging decision takes over every archived item's document, measured after the run in
 * the same process: the part of the run that supervision adds on the main thread.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { directoryOf, documentOfItem } from '../src/compliance/search/reindex.js';
import {
  createSupervisionPolicy,
  flagsFor,
  loadActivePolicies,
  parseLexicon,
} from '../src/compliance/supervision/index.js';
import { loadDirectory, loadReindexBatch } from '../src/store/index.js';
import { freshRun } from './fresh-run.js';
import { prng } from './prng.js';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    data: { type: 'string' },
    workers: { type: 'string', default: '2' },
    policy: { type: 'boolean', default: false },
  },
});

/** The starter lexicon, topped up to 200 terms with phrases of the same shapes. */
export async function lexicon200(): Promise<string[]> {
  const starter = parseLexicon(await readFile(new URL('../lexicons/starter-financial.txt', import.meta.url), 'utf8'));
  const rand = prng(200);
  const han = [...'保证收益承诺稳定回报私下联系返点佣金内幕提前消息删除记录转账红包理财产品高息无忧'];
  const words = [
    'guaranteed',
    'secret',
    'private',
    'bonus',
    'yield',
    'promise',
    'cash',
    'offline',
    'personal',
    'quick',
  ];
  const terms = new Set(starter);
  while (terms.size < 200) {
    if (rand() < 0.5)
      terms.add(
        Array.from({ length: 3 + Math.floor(rand() * 3) }, () => han[Math.floor(rand() * han.length)]).join(''),
      );
    else terms.add(`${words[Math.floor(rand() * words.length)]} ${words[Math.floor(rand() * words.length)]} deal`);
  }
  return [...terms];
}

const { store, run } = await freshRun(values.tenant!, values.data!, Number(values.workers));
const terms = values.policy ? await lexicon200() : [];
if (values.policy) await createSupervisionPolicy(store.db, { name: 'bench', terms, samplePercent: 2 }, 'bench');
const { report, ms } = await run();
const flagged = Number(
  (
    await store.db
      .selectFrom('supervision_flags')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n,
);
let flagMs: number | null = null;
if (values.policy) {
  const policies = await loadActivePolicies(store.db);
  const dir = directoryOf(await loadDirectory(store.db, 'bench'));
  const docs = [];
  for (let cursor = ''; ;) {
    const batch = await loadReindexBatch(store.db, cursor, 1000);
    if (batch.length === 0) break;
    for (const item of batch) docs.push(await documentOfItem(store, item, dir));
    cursor = batch[batch.length - 1]!.key;
  }
  const f = performance.now();
  let n = 0;
  for (const d of docs) n += flagsFor(policies, d).length;
  flagMs = performance.now() - f;
  if (n !== flagged) throw new Error(`flagging after the run gave ${n} flags, the run ${flagged}`);
}
await store.close();
console.log(
  JSON.stringify({
    ms: Math.round(ms),
    archived: report.archived,
    flagged,
    terms: terms.length,
    flagMs: flagMs === null ? null : Math.round(flagMs),
  }),
);
