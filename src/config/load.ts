/** Loads the configuration file, applies environment and flags, validates once and freezes. */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ArchiverError } from '../core/errors.js';
import { configSchema, type Config } from './schema.js';

export interface ConfigOverrides {
  dataDir?: string;
  workers?: number;
}

/** Reads a config file (JSON) and returns the frozen, validated configuration. */
export async function loadConfig(file: string | undefined, overrides: ConfigOverrides = {}): Promise<Config> {
  let raw: Record<string, unknown> = {};
  let base = process.cwd();
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new ArchiverError('WXA_CONFIG_NOT_FOUND', `config file ${file} cannot be read; check the path`, {
        cause: err,
      });
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new ArchiverError('WXA_CONFIG_INVALID', `config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
    base = dirname(resolve(file));
  }
  if (process.env.WXA_DATA_DIR) raw.dataDir = process.env.WXA_DATA_DIR;
  if (overrides.dataDir !== undefined) raw.dataDir = overrides.dataDir;
  if (overrides.workers !== undefined) raw.workers = overrides.workers;
  return parseConfig(raw, file ?? 'flags', base);
}

/** Validates a raw object; every problem is reported at once, each with its field path. */
export function parseConfig(raw: unknown, origin: string, base: string): Config {
  const res = configSchema.safeParse(raw);
  if (!res.success) {
    const lines = res.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ArchiverError('WXA_CONFIG_INVALID', `${origin} has ${lines.length} problem(s):\n${lines.join('\n')}`);
  }
  const cfg = res.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  cfg.dataDir = abs(cfg.dataDir);
  for (const c of cfg.connectors) {
    if (c.source.kind === 'sandbox') c.source.dir = abs(c.source.dir);
    else {
      c.source.keysDir = abs(c.source.keysDir);
      c.source.sdkLibrary = abs(c.source.sdkLibrary);
    }
    if (c.mapping.csv) c.mapping.csv = abs(c.mapping.csv);
  }
  if (cfg.evidence.keyFile) cfg.evidence.keyFile = abs(cfg.evidence.keyFile);
  if (cfg.evidence.tsa) cfg.evidence.tsa.caFile = abs(cfg.evidence.tsa.caFile);
  if (cfg.backup) cfg.backup.dir = abs(cfg.backup.dir);
  return deepFreeze(cfg);
}

/** The JSON Schema of the configuration file, for editors and the docs. */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input' });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
