/**
 * CPU seconds spent by this process's threads, from /proc (Linux): the main thread apart from
 * all the others (prepare threads, libuv's pool, V8's helpers). On a machine with few cores the
 * pipeline's rate is bounded by the CPU it needs per message, whichever thread spends it; these
 * numbers show that bound in the same run as the rate. Undefined where /proc is not there.
 */
import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface ThreadCpu {
  /** the main thread's user+system seconds */
  main: number;
  /** every thread of the process, main included (live threads plus those that exited, from the process's totals) */
  all: number;
}

export const TICKS_PER_SECOND = 100;

/** user+system clock ticks in a /proc `stat` line (a process's or one thread's). */
export function ticksOf(stat: string): number {
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

export function threadCpu(): ThreadCpu | undefined {
  try {
    const main = ticksOf(readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')) / TICKS_PER_SECOND;
    const u = process.cpuUsage();
    return { main, all: (u.user + u.system) / 1e6 };
  } catch {
    return undefined;
  }
}

/** CPU seconds of the calling thread. */
export function callingThreadCpu(): number {
  return ticksOf(readFileSync('/proc/thread-self/stat', 'utf8')) / TICKS_PER_SECOND;
}

/**
 * CPU milliseconds one RSA-2048 private decrypt costs on this thread (what the pipeline does
 * once per message), from about `seconds` of them: CPU time, so the machine's other jobs do not
 * change it the way they change a rate.
 */
export function rsaCpuMsPerOp(seconds = 2): number | undefined {
  try {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const block = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.alloc(32, 1));
    const start = callingThreadCpu();
    let n = 0;
    while (callingThreadCpu() - start < seconds) {
      for (let i = 0; i < 50; i++) privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, block);
      n += 50;
    }
    return (1000 * (callingThreadCpu() - start)) / n;
  } catch {
    return undefined;
  }
}
