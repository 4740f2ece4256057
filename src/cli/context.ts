/**
 * Resolves what a command works on: the configuration (file, environment, flags) and, for the
 * sandbox flags, a connector described without a file.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { loadConfig, parseConfig, storeOptionsOf, type Config } from '../config/index.js';
import { ArchiverError } from '../core/errors.js';
import { createLogger, type Logger, type LogLevel } from '../core/logger.js';
import { archiveDbFile, openStore, type Store } from '../store/index.js';
import { databaseUrl } from './database.js';
import type { Io } from './io.js';

export interface CommonFlags {
  config?: string;
  /** postgres://... instead of the data directory's SQLite file (else $WXA_DATABASE_URL) */
  database?: string;
  dataDir?: string;
  workers?: string;
  logLevel?: string;
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

/** `readOnly`: a command that only reads the archive (see ConfigOverrides.secretsNeeded). */
export async function resolveConfig(flags: CommonFlags & SandboxFlags, readOnly = false): Promise<Config> {
  const workers = intFlag('workers', flags.workers);
  const overrides = {
    ...(readOnly ? { secretsNeeded: false } : {}),
    ...(flags.dataDir !== undefined ? { dataDir: abs(flags.dataDir) } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(flags.logLevel !== undefined ? { logLevel: flags.logLevel } : {}),
  };
  if (flags.sandbox) {
    const base = await loadConfig(flags.config, overrides);
    return parseConfig(
      {
        dataDir: base.dataDir,
        blobs: base.blobs,
        logLevel: base.logLevel,
        evidence: base.evidence,
        retention: base.retention,
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

/** The root logger of a command: through the Io so tests capture it; fd 2 (pretty) on a terminal. */
export function cliLogger(level: LogLevel, io: Io): Logger {
  return createLogger({ level, ...(io.tty ? {} : { destination: { write: (s: string) => io.err(s) } }) });
}

function abs(p: string): string {
  return isAbsolute(p) ? p : resolve(process.cwd(), p);
}

/** How to open the store: the configuration's blobs, and the database `--database` / WXA_DATABASE_URL names. */
export function storeOptionsFor(cfg: Config, flags: { database?: string }): Parameters<typeof openStore>[1] {
  const url = databaseUrl(flags);
  return { ...storeOptionsOf(cfg), ...(url ? { database: { url } } : {}) };
}

/** Opens the store of a loaded configuration: its data directory (or database) and its blob store. */
export function openConfiguredStore(cfg: Config, flags: { database?: string }): Promise<Store> {
  return openStore(cfg.dataDir, storeOptionsFor(cfg, flags));
}

/**
 * Opens the configured archive for one command and closes it however the command ends.
 * `readOnly` commands start even when a destination's secret variable is not set in this shell.
 */
export async function withStore<T>(
  flags: CommonFlags,
  fn: (store: Store, cfg: Config) => Promise<T>,
  readOnly = false,
): Promise<T> {
  const cfg = await resolveConfig(flags, readOnly);
  const store = await openConfiguredStore(cfg, flags);
  try {
    return await fn(store, cfg);
  } finally {
    await store.close();
  }
}

/**
 * Refuses, before opening it, a data directory that holds no archive (and no `--database` or
 * WXA_DATABASE_URL naming one): opening it would create an empty archive there, and a command
 * that only reads would answer for it as if it were the archive meant. `what`: the command and
 * what the archive is wanted for, for the message.
 */
export function requireArchiveIn(
  cfg: Config,
  flags: { database?: string },
  what: { command: string; whose: string },
): void {
  if (databaseUrl(flags) || existsSync(archiveDbFile(cfg.dataDir))) return;
  throw new ArchiverError(
    'WXA_CONFIG_NOT_FOUND',
    `${what.command}: ${cfg.dataDir} holds no archive (no archive.db); give --data-dir (or --database) the archive ${what.whose}`,
  );
}
