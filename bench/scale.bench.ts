/**
 * Scale-out: sandbox messages per second archived by one process on the embedded SQLite archive
 * (`run --once`, the baseline), by one process on PostgreSQL (`run --once --database`), and by a
 * capture process with 1, 2 and 4 worker processes of `serve --role` on PostgreSQL, all in the
 * same run on the same tenant, so their ratios are not the machine's load changing between them.
 *
 *   npx tsc -p tsconfig.build.json && node --import tsx bench/scale.bench.ts \
 *     [--messages 5000] [--workers 1,2,4] [--threads 1] [--out scale.json]
 *
 * Every variant runs the installed command (`bin/wechat-archiver.js`, compiled dist/) in its own
 * processes, on a fresh database (PostgreSQL: a throw-away cluster from Debian's `postgresql`,
 * one database per variant). A role variant's time runs from the start of its processes until
 * every record is processed; `afterFirstRecord` leaves out their start-up (until the capture
 * committed its first record), which a long-running service pays once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { openDatabase, type Db } from '../src/store/db.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { machineWatch } from './machine.js';
import { watchProc } from './proc-sample.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '5000' },
    workers: { type: 'string', default: '1,2,4' },
    threads: { type: 'string', default: '1' },
    out: { type: 'string', default: 'scale.json' },
  },
});
const MESSAGES = Number(values.messages);
const WORKER_COUNTS = values.workers!.split(',').map(Number);
const THREADS = Number(values.threads);
const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'wechat-archiver.js');

interface Result {
  variant: string;
  processes: number;
  seconds: number;
  messagesPerSecond: number;
  /** the workers' batches: committed, given back to claim again from the lowest (their preparation wasted), lost */
  claims?: { committed: number; reclaimed: number; lost: number };
  /** CPU of the archiver's processes (not PostgreSQL's), ms per message: every thread; main threads only */
  cpuMsPerMessage: { all: number; main: number };
  afterFirstRecord?: { seconds: number; messagesPerSecond: number };
}

interface Launched {
  child: ChildProcess;
  done: Promise<number | null>;
  stderr: () => string;
  /** CPU seconds so far (the last sample before it exited): every thread, main thread */
  cpu: () => { all: number; main: number };
}

function launch(args: string[]): Launched {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const watch = watchProc(child.pid!, 200);
  const done = new Promise<number | null>((r) =>
    child.once('exit', (c) => {
      watch.stop();
      r(c);
    }),
  );
  const cpu = () => {
    const last = watch.samples.at(-1);
    return { all: last?.cpuAll ?? 0, main: last?.cpuMain ?? 0 };
  };
  return { child, done, stderr: () => err, cpu };
}

function cpuPerMessage(procs: Launched[]): { all: number; main: number } {
  const sum = procs.map((p) => p.cpu()).reduce((a, b) => ({ all: a.all + b.all, main: a.main + b.main }));
  return { all: (sum.all * 1000) / MESSAGES, main: (sum.main * 1000) / MESSAGES };
}

async function counts(db: Db): Promise<{ total: number; pending: number }> {
  const rows = await db
    .selectFrom('raw_records')
    .select(['status', db.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  let total = 0;
  let pending = 0;
  for (const r of rows) {
    total += Number(r.n);
    if (r.status === 'pending') pending += Number(r.n);
  }
  return { total, pending };
}

async function main(): Promise<void> {
  const machine = machineWatch();
  const dir = await mkdtemp(join(tmpdir(), 'wxa-scale-bench-'));
  const cluster = await startPostgres();
  const results: Result[] = [];
  try {
    const tenant = join(dir, 'tenant');
    await generateTenant({ outDir: tenant, seed: 5, messages: MESSAGES });
    const config = async (name: string) => {
      const file = join(dir, `${name}.json`);
      const connectors = [{ id: 'bench', source: { kind: 'sandbox', dir: tenant } }];
      await writeFile(file, JSON.stringify({ dataDir: join(dir, name), workers: THREADS, connectors }));
      return file;
    };

    const once = async (variant: string, extra: string[]) => {
      const t0 = performance.now();
      const p = launch(['run', '--once', '--config', await config(variant), ...extra]);
      const code = await p.done;
      if (code !== 0) throw new Error(`${variant}: exited ${code}: ${p.stderr()}`);
      const seconds = (performance.now() - t0) / 1000;
      results.push({
        variant,
        processes: 1,
        seconds,
        messagesPerSecond: MESSAGES / seconds,
        cpuMsPerMessage: cpuPerMessage([p]),
      });
      console.log(JSON.stringify(results.at(-1)));
    };
    await once('sqlite run --once', []);
    await once('postgres run --once', ['--database', await cluster.createDatabase()]);

    for (const n of WORKER_COUNTS) {
      const variant = `postgres capture + ${n} worker${n === 1 ? '' : 's'}`;
      const url = await cluster.createDatabase();
      // Migrated before the clock starts, as a running deployment's database is.
      await (await openDatabase({ url })).destroy();
      const cfg = await config(`roles-${n}`);
      const role = (r: string) => launch(['serve', '--role', r, '--config', cfg, '--database', url, '--interval', '1']);
      const t0 = performance.now();
      const procs = [role('capture'), ...Array.from({ length: n }, () => role('worker'))];
      const db = await openDatabase({ url });
      let first: number | undefined;
      const stopAll = async () => {
        for (const p of procs) p.child.kill('SIGTERM');
        await Promise.all(procs.map((p) => p.done));
      };
      try {
        for (;;) {
          await new Promise((r) => setTimeout(r, 200));
          const c = await counts(db);
          if (first === undefined && c.total > 0) first = performance.now();
          if (c.total === MESSAGES && c.pending === 0) break;
          for (const p of procs)
            if (p.child.exitCode !== null) {
              await stopAll();
              throw new Error(`${variant}: a process exited: ${p.stderr()}`);
            }
        }
      } catch (err) {
        await db.destroy();
        throw err;
      }
      const end = performance.now();
      // Read before the processes stop, so that their shutdown is not counted.
      await new Promise((r) => setTimeout(r, 250));
      const cpu = cpuPerMessage(procs);
      await stopAll();
      // Each worker records its batches in its runs' counters.
      const claims = { committed: 0, reclaimed: 0, lost: 0 };
      for (const r of await db.selectFrom('runs').select('counters_json').execute()) {
        const c = (JSON.parse(r.counters_json) as { claims?: typeof claims }).claims;
        if (c) for (const k of Object.keys(claims) as (keyof typeof claims)[]) claims[k] += c[k];
      }
      await db.destroy();
      const seconds = (end - t0) / 1000;
      const after = (end - first!) / 1000;
      results.push({
        variant,
        processes: n + 1,
        seconds,
        messagesPerSecond: MESSAGES / seconds,
        cpuMsPerMessage: cpu,
        claims,
        afterFirstRecord: { seconds: after, messagesPerSecond: MESSAGES / after },
      });
      console.log(JSON.stringify(results.at(-1)));
    }
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const base = results[0]!.messagesPerSecond;
  const out = {
    benchmark: 'scale',
    at: new Date().toISOString(),
    messages: MESSAGES,
    prepareThreadsPerProcess: THREADS,
    results: results.map((r) => ({ ...r, ratioToSqlite: r.messagesPerSecond / base })),
    machine: machine({
      postgres: cluster.version,
      note: 'shared 2-core machine, loaded by other jobs during the run: read the ratios of the same run, not the absolute rates',
    }),
  };
  await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
  await writeFile(join(ROOT, 'bench', 'results', values.out!), `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out, null, 2));
}

await main();
