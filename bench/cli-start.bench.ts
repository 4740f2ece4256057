/**
 * What a command costs before it does its work: the CPU time (user + system, every thread of the
 * process, Node's own start included) of a fresh process running a command of the CLI, for this
 * build's bundle (`dist-bundle/`, what the installed command runs), the compiled modules it is
 * made of (`dist/`, tsc's output, loaded module by module) and, with `--baseline DIR`, an earlier
 * build, alternating round by round. Commands: `--help` (loading the command table), `status
 * --json` on a small archive, and `run --once` of a 100-message sandbox tenant into a fresh data
 * directory with one prepare thread (loading, the thread's own load, and a little work). Also
 * counted: the ES modules and CommonJS files each build's main thread loads for that `run`.
 *
 *   npm run build && node --import tsx bench/cli-start.bench.ts [--rounds 8] [--baseline DIR]
 *
 * DIR holds an earlier build's `cli/main.js`: a `dist/` or `dist-bundle/` of earlier code, e.g.
 * `git archive COMMIT src tsconfig.json tsconfig.build.json | tar -x -C bench/tmp/base && cd
 * bench/tmp/base && npx tsc -p tsconfig.build.json` (then DIR is bench/tmp/base/dist).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { median } from './export-ceiling.js';
import { machineWatch } from './machine.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '8' }, baseline: { type: 'string' } },
});
const ROUNDS = Number(values.rounds);
const watch = machineWatch();
const tmp = join(import.meta.dirname, 'tmp', 'cli-start');
await rm(tmp, { recursive: true, force: true });
await mkdir(tmp, { recursive: true });
const tenant = join(tmp, 'tenant');
await generateTenant({ outDir: tenant, seed: 5, messages: 100 });

const builds: Record<string, string> = {
  current: join(import.meta.dirname, '..', 'dist-bundle'),
  compiled: join(import.meta.dirname, '..', 'dist'),
};
if (values.baseline) builds.baseline = resolve(values.baseline);

/** A fresh process that runs the CLI of `dist` with `args` and reports its CPU time when done. */
function child(dist: string, args: string[]): number {
  const main = pathToFileURL(join(dist, 'cli', 'main.js')).href;
  const script = `
    const { main } = await import(${JSON.stringify(main)});
    const code = await main(['node', 'wechat-archiver', ...process.argv.slice(1)]);
    const c = process.cpuUsage();
    process.stderr.write('\\nCPU ' + JSON.stringify({ cpuMs: (c.user + c.system) / 1000, code }) + '\\n');
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', ...args], {
    encoding: 'utf8',
    cwd: tmp,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const line = /\nCPU (\{.*\})\n/.exec(r.stderr)?.[1];
  if (!line) throw new Error(`${args.join(' ')} (${dist}) reported nothing: ${r.stderr.slice(-800)}`);
  const { cpuMs, code } = JSON.parse(line) as { cpuMs: number; code: number };
  if (code !== 0) throw new Error(`${args.join(' ')} (${dist}) exited ${code}: ${r.stderr.slice(-800)}`);
  return cpuMs;
}

/** The modules a build's main thread loads for `run --once` (a fresh data directory). */
function modulesLoaded(dist: string, dataDir: string): { esm: number; cjs: number } {
  const main = pathToFileURL(join(dist, 'cli', 'main.js')).href;
  const args = [
    'node',
    'wechat-archiver',
    'run',
    '--once',
    '--sandbox',
    tenant,
    '--data-dir',
    dataDir,
    '--workers',
    '1',
  ];
  const script = `
    import { register, createRequire } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const M = createRequire(import.meta.url)('node:module');
    const before = new Set(Object.keys(M._cache));
    const esm = new Set();
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (u) => esm.add(u));
    port1.unref();
    register(${JSON.stringify(`data:text/javascript,${encodeURIComponent('let p; export function initialize(d) { p = d.port; } export async function load(url, ctx, next) { if (url.startsWith("file:")) p.postMessage(url); return next(url, ctx); }')}`)}, { data: { port: port2 }, transferList: [port2] });
    const { main } = await import(${JSON.stringify(main)});
    const code = await main(${JSON.stringify(args)}, { out: () => {}, err: (t) => process.stderr.write(t), tty: false });
    if (code !== 0) throw new Error('run exited ' + code);
    await new Promise((r) => setTimeout(r, 200));
    const cjs = Object.keys(M._cache).filter((k) => !before.has(k)).length;
    process.stdout.write(JSON.stringify({ esm: esm.size, cjs }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: tmp });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { esm: number; cjs: number };
}

const archive = join(tmp, 'archive');
// the archive `status` reads, made once by the current build
child(builds.current!, ['run', '--once', '--sandbox', tenant, '--data-dir', archive, '--workers', '0', '--json']);

const COMMANDS: Record<string, (round: number, build: string) => string[]> = {
  help: () => ['--help'],
  status: () => ['status', '--data-dir', archive, '--json'],
  run: (round, build) => [
    'run',
    '--once',
    '--sandbox',
    tenant,
    '--data-dir',
    join(tmp, `run-${build}-${round}`),
    '--workers',
    '1',
    '--json',
  ],
};

const runs: { build: string; command: string; round: number; cpuMs: number }[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const order = Object.keys(builds);
  if (round % 2 === 0) order.reverse();
  for (const command of Object.keys(COMMANDS))
    for (const build of order) {
      const cpuMs = child(builds[build]!, COMMANDS[command]!(round, build));
      runs.push({ build, command, round, cpuMs: Math.round(cpuMs) });
      process.stderr.write(`round ${round} ${command} ${build}: ${cpuMs.toFixed(0)} ms\n`);
    }
}

/** The CPU times of one command by one build, round by round. */
const cpuOf = (build: string, command: string) =>
  runs.filter((r) => r.build === build && r.command === command).map((r) => r.cpuMs);
const summary = Object.fromEntries(
  Object.keys(builds).map((build) => [
    build,
    {
      ...Object.fromEntries(
        Object.keys(COMMANDS).map((command) => {
          const xs = cpuOf(build, command);
          return [command, { medianCpuMs: median(xs), minCpuMs: Math.min(...xs), maxCpuMs: Math.max(...xs) }];
        }),
      ),
      modulesForRun: modulesLoaded(builds[build]!, join(tmp, `modules-${build}`)),
    },
  ]),
);
/** Each other build's median against the bundle's, command by command. */
const ratios = Object.fromEntries(
  Object.keys(builds)
    .filter((build) => build !== 'current')
    .map((other) => [
      `currentOver${other[0]!.toUpperCase()}${other.slice(1)}`,
      Object.fromEntries(
        Object.keys(COMMANDS).map((command) => {
          const b = median(cpuOf(other, command));
          const c = median(cpuOf('current', command));
          return [command, { ratio: +(c / b).toFixed(2), savedMs: Math.round(b - c) }];
        }),
      ),
    ]),
);
const result = { rounds: ROUNDS, summary, ratios, runs, machine: watch({}) };
await writeFile(join(import.meta.dirname, 'results', 'cli-start.json'), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify({ summary, ratios }, null, 2));
await rm(tmp, { recursive: true, force: true });
