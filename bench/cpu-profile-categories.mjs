/**
 * Where a pipeline run's time goes, from a V8 CPU profile (`node --cpu-prof`): each sample is
 * given to the first category below that any frame of its stack matches (so a commit's fsync
 * counts as the commit, not as the SQL driver under it), and the totals are printed per message.
 *
 *   node --cpu-prof --cpu-prof-dir=DIR bin/wechat-archiver.js run --once --sandbox TENANT --workers 0
 *   node bench/cpu-profile-categories.mjs DIR/*.cpuprofile MESSAGES [--json]
 *   node bench/cpu-profile-categories.mjs DIR/*.cpuprofile ITEMS [--json] --export   # an export child's profile
 *
 * `--workers 0` prepares every message on the main thread, so one profile holds all the work
 * (piscina's threads are stopped before they could write theirs). Sampled time is wall time on
 * the thread: a commit waiting for the disk counts, and so does `(idle)`.
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const exportRules = args.includes('--export');
const [file, count, flag] = args.filter((a) => a !== '--export');
const messages = Number(count);
if (!file || !(messages > 0)) throw new Error('usage: cpu-profile-categories.mjs FILE.cpuprofile MESSAGES [--json]');
const profile = JSON.parse(readFileSync(file, 'utf8'));

const RULES = [
  ['idle', (f) => f.functionName === '(idle)'],
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['SQLite commits (WAL fsync, checkpoints)', (f) => f.functionName === 'commitTransaction'],
  ['RSA-2048 private decrypt', (f) => f.url.includes('internal/crypto/cipher')],
  ['search index rows (FTS5)', (f) => f.url.includes('store/search-index')],
  ['search document and tokenizer', (f) => f.url.includes('compliance/search/')],
  ['ingest log and digests', (f) => /store\/ingest-|content-digest|hash-assembled/.test(f.url)],
  ['item, entry and blob rows', (f) => f.url.includes('store/process')],
  ['capture rows', (f) => f.url.includes('store/capture')],
  ['media fetch and blob files', (f) => /sources\/wecom\/media|store\/blobs|chatdata/.test(f.url)],
  ['MIME render', (f) => f.url.includes('/render/')],
  [
    'AES decrypt, parse, normalize',
    (f) => /sources\/wecom\/(parse|decrypt|normalize)|prepare-task|well-formed/.test(f.url),
  ],
  ['other SQL', (f) => /kysely|better-sqlite3|\/store\//.test(f.url)],
  ['module loading', (f) => f.url.includes('internal/modules')],
];

/** An export's main thread (export.bench.ts --cpu-prof): a native call counts as what calls it. */
const EXPORT_RULES = [
  ['idle', (f) => f.functionName === '(idle)'],
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['module loading', (f) => f.url.includes('internal/modules')],
  // what the work is first (hashing, encoding, system calls), then which part of the export asks
  ['SHA-256', (f) => f.url.includes('internal/crypto/hash')],
  ['base64', (f) => f.url.includes('core/base64-lines')],
  ['creating files (open)', (f) => f.functionName === 'openSync'],
  ['writing files', (f) => f.functionName === 'writevSync' || f.functionName === 'writeSync'],
  ['closing files', (f) => f.functionName === 'closeSync'],
  ['making folders', (f) => f.functionName === 'mkdirSync'],
  ['item rows and selection (SQL)', (f) => f.url.includes('store/export-queries')],
  ['stored messages (SQL, skeletons)', (f) => f.url.includes('store/blobs/read-batch')],
  ['load-file headers', (f) => /export\/headers|libmime/.test(f.url)],
  ['journal, load files and manifest', (f) => /export\/(journal|manifest|load-file)/.test(f.url)],
  ['other SQL', (f) => /kysely|better-sqlite3|\/store\//.test(f.url)],
];

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map();
let totalUs = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  totalUs += dt;
});
const byCategory = new Map();
for (const [id, us] of selfUs) {
  const stack = [];
  for (let c = id; c !== undefined; c = parent.get(c)) stack.push(byId.get(c).callFrame);
  const rule = (exportRules ? EXPORT_RULES : RULES).find(([, test]) => stack.some(test));
  const name = rule ? rule[0] : 'other';
  byCategory.set(name, (byCategory.get(name) ?? 0) + us);
}
const rows = [...byCategory]
  .sort((a, b) => b[1] - a[1])
  .map(([category, us]) => ({
    category,
    seconds: +(us / 1e6).toFixed(2),
    msPerMessage: +(us / messages / 1000).toFixed(3),
    share: +(us / totalUs).toFixed(3),
  }));
const out = {
  messages,
  seconds: +(totalUs / 1e6).toFixed(2),
  msPerMessage: +(totalUs / messages / 1000).toFixed(3),
  rows,
};
if (flag === '--json') console.log(JSON.stringify(out, null, 2));
else {
  console.log(`${out.seconds} s sampled, ${out.msPerMessage} ms per message`);
  for (const r of rows)
    console.log(
      `${r.seconds.toFixed(2).padStart(7)} s ${r.msPerMessage.toFixed(3)} ms ${(100 * r.share).toFixed(1).padStart(5)}%  ${r.category}`,
    );
}
