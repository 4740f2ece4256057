/** Loads the configuration file, applies environment and flags, validates once and freezes. */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ArchiverError } from '../core/errors.js';
import { configSchema, type Config } from './schema.js';
import { UNSET_SECRET } from './secret.js';

export interface ConfigOverrides {
  dataDir?: string;
  workers?: number;
  /** `--log-level` */
  logLevel?: string;
  /**
   * Read-only commands (status, report, mailbox, item) never use a destination's credentials:
   * `false` lets a destination whose secret variable is unset in this shell be left out instead
   * of refusing the whole file. Every other problem is still reported.
   */
  secretsNeeded?: boolean;
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
  // Environment over the file, the flag over both; the schema names a wrong value.
  if (process.env.WXA_LOG_LEVEL) raw.logLevel = process.env.WXA_LOG_LEVEL;
  if (overrides.logLevel !== undefined) raw.logLevel = overrides.logLevel;
  if (overrides.secretsNeeded === false) raw = withoutUnsetSecretDestinations(raw);
  return parseConfig(raw, file ?? 'flags', base);
}

/**
 * The raw configuration without the destinations whose only problem is a secret variable not
 * set in this shell. A destination with any other problem stays, so its problem is reported.
 */
function withoutUnsetSecretDestinations(raw: Record<string, unknown>): Record<string, unknown> {
  const res = configSchema.safeParse(raw);
  if (res.success) return raw;
  const unset = new Set<string>();
  for (const i of res.error.issues) {
    const [top, c, field, d] = i.path;
    const isUnsetSecret = i.code === 'custom' && (i as { params?: Record<string, unknown> }).params?.[UNSET_SECRET];
    if (!isUnsetSecret || top !== 'connectors' || field !== 'destinations') return raw;
    unset.add(`${String(c)}/${String(d)}`);
  }
  const connectors = (raw.connectors as Record<string, unknown>[]).map((conn, c) => ({
    ...conn,
    destinations: (conn.destinations as unknown[]).filter((_, d) => !unset.has(`${c}/${d}`)),
  }));
  return { ...raw, connectors };
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
  if (cfg.export.pdfFont) cfg.export.pdfFont = abs(cfg.export.pdfFont);
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
