/**
 * Resolves what a command works on: the configuration (file, environment, flags) and, for the
 * sandbox flags, a connector described without a file.
 */
import { isAbsolute, resolve } from 'node:path';
import { loadConfig, parseConfig, type Config } from '../config/index.js';

export interface CommonFlags {
  config?: string;
  dataDir?: string;
  workers?: string;
}

export interface SandboxFlags {
  sandbox?: string;
  mapping?: string;
  connector?: string;
}

function intFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} takes a whole number, not "${v}"`);
  return n;
}

export async function resolveConfig(flags: CommonFlags & SandboxFlags): Promise<Config> {
  const workers = intFlag('workers', flags.workers);
  const overrides = {
    ...(flags.dataDir !== undefined ? { dataDir: abs(flags.dataDir) } : {}),
    ...(workers !== undefined ? { workers } : {}),
  };
  if (flags.sandbox) {
    const base = await loadConfig(flags.config, overrides);
    return parseConfig(
      {
        dataDir: base.dataDir,
        logLevel: base.logLevel,
        evidence: base.evidence,
        ...(base.backup ? { backup: base.backup } : {}),
        ...(base.workers !== undefined ? { workers: base.workers } : {}),
        connectors: [
          {
            id: flags.connector ?? 'sandbox',
            name: 'Sandbox tenant',
            source: { kind: 'sandbox', dir: abs(flags.sandbox) },
            mapping: flags.mapping ? { csv: abs(flags.mapping) } : {},
          },
        ],
      },
      'flags',
      process.cwd(),
    );
  }
  return loadConfig(flags.config, overrides);
}

function abs(p: string): string {
  return isAbsolute(p) ? p : resolve(process.cwd(), p);
}
