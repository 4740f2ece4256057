/**
 * Memory and CPU of another process, read from /proc (Linux) while it runs: what the archiver
 * process itself uses, apart from whatever produced its input. The kernel's high-water mark
 * (VmHWM) is the exact peak RSS; the samples show where in the run it came and what it was made
 * of (anonymous memory: heaps; file-backed: mapped code and files; shared: SQLite's WAL index).
 */
import { readFileSync } from 'node:fs';
import { TICKS_PER_SECOND, ticksOf } from './thread-cpu.js';

export interface ProcSample {
  /** ms since sampling began */
  at: number;
  rssMB: number;
  hwmMB: number;
  anonMB: number;
  fileMB: number;
  shmemMB: number;
  threads: number;
  /** CPU seconds of every thread so far, and of the main thread alone */
  cpuAll: number;
  cpuMain: number;
}

const MB = 1024; // /proc/<pid>/status gives kB

function field(status: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status);
  return m ? Number(m[1]) : 0;
}

export function sampleProc(pid: number, at: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const all = ticksOf(readFileSync(`/proc/${pid}/stat`, 'utf8')) / TICKS_PER_SECOND;
    const main = ticksOf(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')) / TICKS_PER_SECOND;
    // A process that has exited but not been reaped has no memory left to report.
    if (field(status, 'VmHWM') === 0) return undefined;
    return {
      at,
      rssMB: field(status, 'VmRSS') / MB,
      hwmMB: field(status, 'VmHWM') / MB,
      anonMB: field(status, 'RssAnon') / MB,
      fileMB: field(status, 'RssFile') / MB,
      shmemMB: field(status, 'RssShmem') / MB,
      threads: field(status, 'Threads'),
      cpuAll: all,
      cpuMain: main,
    };
  } catch {
    return undefined;
  }
}

/** Samples `pid` every `everyMs` until stopped; keeps every sample (a run of minutes is a few thousand). */
export function watchProc(pid: number, everyMs = 100): { samples: ProcSample[]; stop(): void } {
  const samples: ProcSample[] = [];
  const t0 = performance.now();
  const take = () => {
    const s = sampleProc(pid, Math.round(performance.now() - t0));
    if (s) samples.push(s);
  };
  take();
  const timer = setInterval(take, everyMs);
  return { samples, stop: () => clearInterval(timer) };
}
