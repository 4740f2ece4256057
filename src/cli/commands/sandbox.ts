/** `sandbox generate`: writes a simulated WeCom tenant that any connector can archive. */
import { resolve } from 'node:path';
import { generateTenant } from '../../sources/sandbox/index.js';
import { printJson, type Io } from '../io.js';

export interface GenerateFlags {
  out: string;
  seed?: string;
  messages?: string;
  include?: string;
  media?: string;
  json?: boolean;
}

function count(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} takes a whole number, not "${v}"`);
  return n;
}

export async function sandboxGenerateCommand(flags: GenerateFlags, io: Io): Promise<number> {
  const summary = await generateTenant({
    outDir: resolve(flags.out),
    seed: count('seed', flags.seed, 1),
    messages: count('messages', flags.messages, 500),
    ...(flags.include ? { include: resolve(flags.include) } : {}),
    ...(flags.media ? { mediaDir: resolve(flags.media) } : {}),
  });
  if (flags.json) printJson(io, summary);
  else io.out(`sandbox tenant written to ${resolve(flags.out)}\n${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}
