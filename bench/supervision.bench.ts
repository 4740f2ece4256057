/**
 * What supervision costs the pipeline: the same sandbox tenant archived with a 200-term policy
 * (the starter lexicon topped up, plus a 2% sample) in force and with no policy, in separate
 * processes, alternating, in the same run. Target: at most 10% of throughput. Because runs on a
 * shared machine differ by more than that, each policy run also times the flagging decision
 * over every archived item's document against that run's own time: `flagTimeShareInRun`.
 *
 *   node --import tsx bench/supervision.bench.ts [--messages 2000] [--rounds 3] [--workers 2]
 *
 * Writes bench/results/supervision.json.
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
    messages: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
  },
});
const here = import.meta.dirname;
const tmp = join(here, 'tmp');
const tenant = join(tmp, `supervision-tenant-${values.messages}`);

interface Run {
  ms: number;
  archived: number;
  flagged: number;
  terms: number;
  flagMs: number | null;
}

async function once(policy: boolean): Promise<Run> {
  const args = [
    '--import',
    'tsx',
    join(here, 'supervision-run.ts'),
    '--tenant',
    tenant,
    '--data',
    join(tmp, 'supervision-data'),
  ];
  args.push('--workers', values.workers!, ...(policy ? ['--policy'] : []));
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Run;
}

async function main(): Promise<void> {
  await mkdir(tmp, { recursive: true });
  if (!existsSync(join(tenant, 'tenant.json')))
    await generateTenant({ outDir: tenant, seed: 13, messages: Number(values.messages) });
  const withPolicy: number[] = [];
  const without: number[] = [];
  const inRun: number[] = [];
  let flagged = 0;
  let terms = 0;
  for (let r = 0; r < Number(values.rounds); r++) {
    const a = await once(true);
    const b = await once(false);
    if (b.flagged !== 0 || a.flagged === 0) throw new Error('the policy run flagged nothing, or the baseline flagged');
    flagged = a.flagged;
    terms = a.terms;
    inRun.push(a.flagMs! / a.ms);
    withPolicy.push(a.archived / (a.ms / 1000));
    without.push(b.archived / (b.ms / 1000));
  }
  const median = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
  const cost = 1 - median(withPolicy) / median(without);
  const result = {
    machine: `${cpus().length} cores ${cpus()[0]?.model ?? ''}; load average ${loadavg()[0]!.toFixed(1)} at the end (shared with other jobs: noisy)`,
    node: process.version,
    messages: Number(values.messages),
    workers: Number(values.workers),
    lexiconTerms: terms,
    flaggedPerRun: flagged,
    withPolicyMsgPerS: withPolicy.map((v) => Number(v.toFixed(1))),
    withoutPolicyMsgPerS: without.map((v) => Number(v.toFixed(1))),
    costOfMedians: Number(cost.toFixed(3)),
    flagTimeShareInRun: inRun.map((v) => Number(v.toFixed(4))),
    flagTimeShareMedian: Number(median(inRun).toFixed(4)),
    target: 'cost at most 0.10',
  };
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', 'supervision.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

await main();
