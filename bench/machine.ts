/**
 * What a benchmark's results say about the machine they were measured on: the 1-minute load
 * average before and after (this machine is shared, so absolute numbers vary with it), CPUs,
 * Node, and a note on how to read the numbers.
 */
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
