/**
 * What reading one PDF used to cost everything a thread did afterwards: pdf.js's legacy build
 * replaces JSON.parse, JSON.stringify and Array.prototype.push with core-js's JavaScript versions
 * when it loads (src/compliance/search/extract/pdf.ts puts them back). Each side is a fresh child
 * process running the compiled extractors (dist/): it reads one PDF, then does the same work as
 * an extraction thread and the code around it (Word and Excel files read, JSON written and read
 * back), timed. "guarded" loads pdf.js as the code does; "unguarded" loads pdf.js's two modules
 * directly first, as the code did before. The sides alternate for `--rounds` rounds.
 *
 *   npm run build && node --import tsx bench/pdf-polyfills.bench.ts [--rounds 5]
 */
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { makeDocx, makePdf, makeXlsx } from '../test/helpers/office-files.js';
import { median } from './export-ceiling.js';
import { machineWatch } from './machine.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(values.rounds);
const watch = machineWatch();
const tmp = join(import.meta.dirname, 'tmp', 'pdf-polyfills');
await mkdir(tmp, { recursive: true });

const words = (n: number) => Array.from({ length: n }, (_, i) => `第${i}段 quarterly fund report paragraph ${i}`);
await writeFile(join(tmp, 'a.docx'), makeDocx(words(2000)));
await writeFile(
  join(tmp, 'a.xlsx'),
  makeXlsx([{ name: 'Sheet1', rows: Array.from({ length: 2000 }, (_, i) => [`row ${i}`, i, `基金 ${i}`]) }]),
);
await writeFile(join(tmp, 'a.pdf'), makePdf([['quarterly fund report']]));

const binary = pathToFileURL(
  join(import.meta.dirname, '..', 'dist', 'compliance', 'search', 'extract', 'binary.js'),
).href;

function child(unguarded: boolean): { ms: number; parts: Record<string, number>; replaced: boolean } {
  const script = `
    import { readFileSync } from 'node:fs';
    const stringify = JSON.stringify;
    ${unguarded ? "await import('pdfjs-dist/legacy/build/pdf.mjs'); await import('pdfjs-dist/legacy/build/pdf.worker.mjs');" : ''}
    const { extractBinary } = await import(${JSON.stringify(binary)});
    const read = (n) => new Uint8Array(readFileSync(${JSON.stringify(tmp)} + '/' + n));
    const pdf = await extractBinary({ format: 'pdf', bytes: read('a.pdf') });
    if (!pdf.includes('quarterly')) throw new Error('the PDF was not read');
    const docx = read('a.docx'), xlsx = read('a.xlsx');
    const rows = Array.from({ length: 20000 }, (_, i) => ({ n: i, controlNumber: 'WXA' + String(i).padStart(8, '0'), path: 'NATIVES/a@example.com/' + i + '.eml', tags: ['responsive'], subject: '季度报告 ' + i }));
    const parts = {};
    const time = async (name, f) => { const t = performance.now(); await f(); parts[name] = performance.now() - t; };
    const t0 = performance.now();
    await time('docx', async () => { for (let i = 0; i < 20; i++) await extractBinary({ format: 'docx', bytes: docx }); });
    await time('xlsx', async () => { for (let i = 0; i < 20; i++) await extractBinary({ format: 'xlsx', bytes: xlsx }); });
    await time('json', () => { for (let i = 0; i < 10; i++) JSON.parse(JSON.stringify(rows)); });
    const ms = performance.now() - t0;
    process.stdout.write(stringify({ ms, parts, replaced: JSON.stringify !== stringify }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: tmp });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { ms: number; parts: Record<string, number>; replaced: boolean };
}

const runs: { side: string; round: number; ms: number; parts: Record<string, number>; replaced: boolean }[] = [];
for (let round = 1; round <= ROUNDS; round++)
  for (const side of round % 2 ? ['guarded', 'unguarded'] : ['unguarded', 'guarded']) {
    const r = child(side === 'unguarded');
    runs.push({ side, round, ...r });
    process.stderr.write(`${side} round ${round}: ${r.ms.toFixed(0)} ms ${JSON.stringify(r.parts)}\n`);
  }
const summary = Object.fromEntries(
  ['guarded', 'unguarded'].map((side) => {
    const rs = runs.filter((r) => r.side === side);
    return [
      side,
      {
        medianMs: Math.round(median(rs.map((r) => r.ms))),
        parts: Object.fromEntries(
          Object.keys(rs[0]!.parts).map((k) => [k, Math.round(median(rs.map((r) => r.parts[k]!)))]),
        ),
        builtinsReplaced: rs.every((r) => r.replaced),
      },
    ];
  }),
);
const ratio = +(summary.unguarded!.medianMs / summary.guarded!.medianMs).toFixed(2);
const result = { summary, unguardedOverGuarded: ratio, runs, machine: watch({}) };
await writeFile(join(import.meta.dirname, 'results', 'pdf-polyfills.json'), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify({ summary, unguardedOverGuarded: ratio }, null, 2));
