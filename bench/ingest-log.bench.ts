/**
 * What the ingest log costs the pipeline: the same sandbox tenant archived with the log and
 * without it (its appends stubbed out by a module hook, bench/without-ingest-log.mjs), in
 * separate processes, alternating, in the same run. Because runs on a shared machine differ
 * by more than the log costs, each run with the log also adds up the time spent building and
 * appending its events (on the main thread, where commits are serial) against the rest of
 * that same run: `logTimeShareInRun`.
 *
 *   node --import tsx bench/ingest-log.bench.ts [--messages 4000] [--rounds 3] [--workers 2]
 *
 * Writes bench/results/ingest-log.json.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { generateTenant } from '../src/sources/sandbox/index.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '4000' },
    rounds: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
  },
});
const here = import.meta.dirname;
const tmp = join(here, 'tmp');
const tenant = join(tmp, `ingest-tenant-${values.messages}`);

interface Run {
  ms: number;
  archived: number;
  ingestEvents: number;
  logMs: number | null;
}

async function once(withLog: boolean): Promise<Run> {
  const args = ['--import', 'tsx', '--import', join(here, 'without-ingest-log.mjs')];
  args.push(
    join(here, 'ingest-log-run.ts'),
    '--tenant',
    tenant,
    '--data',
    join(tmp, 'ingest-data'),
    '--workers',
    values.workers!,
  );
  const env = { ...process.env, BENCH_INGEST_LOG: withLog ? 'timed' : 'off' };
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 24, env });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Run;
}

async function main(): Promise<void> {
  await mkdir(tmp, { recursive: true });
  if (!existsSync(join(tenant, 'tenant.json')))
    await generateTenant({ outDir: tenant, seed: 13, messages: Number(values.messages) });
  const withLog: number[] = [];
  const without: number[] = [];
  let events = 0;
  const inRun: number[] = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    const a = await once(true);
    const b = await once(false);
    if (b.ingestEvents !== 0) throw new Error('the stub did not take effect: events were logged');
    events = a.ingestEvents;
    // time building and appending events, against the rest of the same run
    inRun.push(a.logMs! / (a.ms - a.logMs!));
    withLog.push(a.archived / (a.ms / 1000));
    without.push(b.archived / (b.ms / 1000));
  }
  const median = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
  const cost = 1 - median(withLog) / median(without);
  const result = {
    machine: `${cpus().length} cores ${cpus()[0]?.model ?? ''}; load average ${loadavg()[0]!.toFixed(1)} at the end (shared with other jobs: noisy)`,
    node: process.version,
    messages: Number(values.messages),
    workers: Number(values.workers),
    ingestEventsPerRun: events,
    withLogMsgPerS: withLog.map((v) => Number(v.toFixed(1))),
    withoutLogMsgPerS: without.map((v) => Number(v.toFixed(1))),
    costOfMedians: Number(cost.toFixed(3)),
    logTimeShareInRun: inRun.map((v) => Number(v.toFixed(3))),
    logTimeShareMedian: Number(median(inRun).toFixed(3)),
  };
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', 'ingest-log.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

await main();
