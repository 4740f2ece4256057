// `serve` soaked: many runs of the demo connector on a tiny interval, with two prepare threads,
// while other processes load every core. The service must never exit early, must archive every
// message the demo tenant received (400 at the start, 25 more before each later run), and its
// memory must stay bounded: a peak, and a bound on growth once the heaps have reached their
// working size, which a leak of a fraction of a megabyte per run breaks over the long run. The
// default suite runs 12 runs beside one busy process (it shares the machine with the other test
// files); WXA_LONG_TESTS=1 runs 200 with every core loaded.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliJson, tempDir } from './helpers/cli.js';
import { LONG_TESTS, longOr } from './helpers/long-tests.js';
import { cliNodeArgs } from './helpers/cli-runtime.js';

const ROOT = join(import.meta.dirname, '..');
const RUNS = longOr(200, 12);
/**
 * A bound on growth (long run): the service's RSS in the last quarter of the soak against the
 * second, after warm-up. 200 runs leaking 0.5 MB each would add about 50 MB between the two.
 * Over 12 runs the heaps are still growing into their working size (about 220 MB to 420 MB,
 * while the main heap after a full collection stays flat), so the short run bounds the peak,
 * which a leak of 10 MB per run would break.
 */
const RSS_GROWTH_MB = 40;
/** A bound on the service's peak RSS during the soak (under the tsx loader, which adds its own thread). */
const RSS_PEAK_MB = longOr(700, 550);

function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** A process that keeps one core busy until killed. */
function burner(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

describe('serve soak', () => {
  it(
    `runs ${RUNS} times under CPU load, archives everything, memory bounded`,
    async () => {
      const dir = await tempDir('soak');
      const load = Array.from({ length: longOr(availableParallelism(), 1) }, burner);
      try {
        const child = spawn(
          process.execPath,
          [
            ...cliNodeArgs(),
            'serve',
            '--data-dir',
            dir.path,
            '--no-console',
            '--interval',
            '0.05',
            '--runs',
            String(RUNS),
            '--workers',
            '2',
          ],
          { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let stdout = '';
        let stderr = '';
        child.stdout!.setEncoding('utf8').on('data', (t: string) => (stdout += t));
        child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
        const samples: number[] = [];
        const sampler = setInterval(() => {
          const mb = rssMb(child.pid!);
          if (mb !== undefined) samples.push(mb);
        }, 250);
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        clearInterval(sampler);
        expect(code, stderr.slice(-2000)).toBe(0);
        expect(stderr).not.toMatch(/FATAL|run failed/);

        // Every message the tenant received, processed; none left pending or failed.
        const status = await cliJson<{
          connectors: { id: string; records: Record<string, number> }[];
        }>('status', '--data-dir', dir.path, '--json');
        const records = status.connectors.find((c) => c.id === 'sandbox')!.records;
        const total = Object.values(records).reduce((a, b) => a + b, 0);
        expect(total).toBe(400 + 25 * (RUNS - 1));
        expect(records.pending).toBe(0);
        expect(records.failed).toBe(0);
        expect(records.done).toBeGreaterThan(0);
        // One line per busy run on stdout, and the service printed no crash of a run.
        expect(stdout.trim().split('\n').length).toBeGreaterThanOrEqual(2);

        // Memory: the peak, and in the long run the growth from the second quarter of the
        // samples (the first is warm-up: the first run archives 400 messages and the heaps grow
        // into their working size) to the last, as averages so one sample at a collection's
        // edge does not decide.
        expect(samples.length).toBeGreaterThan(8);
        const peak = Math.max(...samples);
        const q = Math.floor(samples.length / 4);
        const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        const early = avg(samples.slice(q, 2 * q));
        const late = avg(samples.slice(3 * q));
        console.log(`soak: ${RUNS} runs, RSS peak ${peak.toFixed(0)} MB, ${early.toFixed(0)} -> ${late.toFixed(0)} MB`);
        expect(peak, `peak RSS ${peak.toFixed(0)} MB`).toBeLessThan(RSS_PEAK_MB);
        if (LONG_TESTS) {
          expect(late - early, `RSS ${early.toFixed(0)} MB -> ${late.toFixed(0)} MB`).toBeLessThan(RSS_GROWTH_MB);
        }
      } finally {
        for (const p of load) p.kill('SIGKILL');
        await dir.cleanup();
      }
    },
    longOr(1_800_000, 300_000),
  );
});
