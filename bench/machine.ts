/**
 * What a benchmark's results say about the machine they were measured on: the 1-minute load
 * average before and after (this machine is shared, so absolute numbers vary with it), CPUs,
 * Node, and a note on how to read the numbers.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Call at the start of a benchmark; the returned function describes the machine at its end. */
export function machineWatch(): (extra: Record<string, string>) => Record<string, unknown> {
  const before = loadavg()[0]!;
  return (extra) => ({
    loadAverage1m: [round2(before), round2(loadavg()[0]!)],
    cpus: cpus().length,
    model: cpus()[0]?.model ?? '',
    node: process.version,
    ...extra,
  });
}

/** The machine's CPU time so far, all cores, from /proc/stat's `cpu` line (Linux): ticks in all and stolen. */
function cpuTicks(): { total: number; steal: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // user nice system idle iowait irq softirq steal (guest time is counted within user)
    const t = line.trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: t.reduce((a, b) => a + b, 0), steal: t[7] ?? 0 };
  } catch {
    return undefined;
  }
}

/**
 * Starts counting the CPU time the host of this virtual machine takes back (the `st` column of
 * `vmstat`); the returned function gives the percentage of all cores' time stolen since, or null where
 * /proc/stat is not there. A phase run while the host was short of CPU is slower for reasons
 * outside the code, and more for a process that keeps both cores busy than for one on one core.
 */
export function stealWatch(): () => number | null {
  const a = cpuTicks();
  return () => {
    const b = cpuTicks();
    if (!a || !b || b.total <= a.total) return null;
    return round2(((b.steal - a.steal) / (b.total - a.total)) * 100);
  };
}
