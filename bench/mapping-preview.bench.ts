/**
 * Mapping preview benchmark: what previewing a large mapping CSV costs the rest of the process.
 * The same file (by default 200,000 numeric lines, a problem on each, as in a careless export)
 * is checked two ways in the same run, alternating: the baseline parses on the main thread and
 * answers every problem (how the preview used to work); ours parses on the mapping parser's
 * worker thread and answers the bounded summary the API sends. For each: the worst event-loop
 * delay while it runs (what a health check or a run in the same process waits), wall time and
 * the answer's size in bytes. Writes bench/results/mapping-preview.json and prints it.
 *
 *   node --import tsx bench/mapping-preview.bench.ts [--rows 200000] [--runs 2]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseMappingCsv } from '../src/mapping/index.js';
import { createMappingParser } from '../src/mapping/parse-pool.js';
import { previewOf, PREVIEW_ROWS, PROBLEMS_PER_CODE } from '../src/server/mapping-upload.js';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '200000' }, runs: { type: 'string', default: '2' } },
});
const rows = Number(values.rows);
const runs = Number(values.runs);

interface Sample {
  maxLoopDelayMs: number;
  wallMs: number;
  answerBytes: number;
}

/**
 * The longest gap between ticks of a 10 ms timer while `work` runs (and one tick after, so a
 * gap the work caused by blocking is seen): what any other callback of the process waited.
 */
async function measure(work: () => Promise<string>): Promise<Sample> {
  let last = performance.now();
  let maxGap = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 10);
  await new Promise((r) => setTimeout(r, 50));
  const t = performance.now();
  const answer = await work();
  const wallMs = performance.now() - t;
  await new Promise((r) => setTimeout(r, 50));
  clearInterval(tick);
  return { maxLoopDelayMs: Math.max(0, maxGap - 10), wallMs, answerBytes: Buffer.byteLength(answer) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const lines: string[] = [];
for (let i = 0; i < rows; i++) lines.push(`1${String(i * 7919).padStart(16, '0')}`);
const csv = lines.join('\n');
const parser = createMappingParser();
const baseline: Sample[] = [];
const ours: Sample[] = [];
try {
  // Start the worker thread before timing: a server keeps it while previews come in.
  await parser.parse('userid,mailbox\n', 'warm.csv', { rows: 1, problemsPerCode: 1 });
  for (let r = 0; r < runs; r++) {
    baseline.push(
      await measure(async () => {
        const parsed = parseMappingCsv(csv, 'bench.csv');
        return JSON.stringify({
          rows: parsed.rows.slice(0, 500),
          problems: parsed.problems,
          totalRows: parsed.rows.length,
        });
      }),
    );
    ours.push(
      await measure(async () =>
        JSON.stringify(
          previewOf(await parser.parse(csv, 'bench.csv', { rows: PREVIEW_ROWS, problemsPerCode: PROBLEMS_PER_CODE })),
        ),
      ),
    );
  }
} finally {
  await parser.close();
}

const summary = (s: Sample[]) => ({
  maxLoopDelayMs: Math.round(median(s.map((x) => x.maxLoopDelayMs))),
  wallMs: Math.round(median(s.map((x) => x.wallMs))),
  answerBytes: median(s.map((x) => x.answerBytes)),
});
const b = summary(baseline);
const o = summary(ours);
const result = {
  at: new Date().toISOString(),
  machine: `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), shared; 1-minute load average ${loadavg()[0]!.toFixed(1)} at the end`,
  csv: { rows, bytes: Buffer.byteLength(csv) },
  runs,
  baseline: { what: 'parse on the main thread, answer every problem', ...b },
  ours: { what: 'parse on the worker thread, answer the bounded summary', ...o },
  ratios: {
    maxLoopDelay: Number((o.maxLoopDelayMs / b.maxLoopDelayMs).toFixed(4)),
    wall: Number((o.wallMs / b.wallMs).toFixed(3)),
    answerBytes: Number((o.answerBytes / b.answerBytes).toFixed(6)),
  },
};
const out = join(import.meta.dirname, 'results');
await mkdir(out, { recursive: true });
await writeFile(join(out, 'mapping-preview.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
