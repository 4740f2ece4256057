/**
 * Resolves what a command works on: the configuration (file, environment, flags) and, for the
 * sandbox flags, a connector described without a file.
 */
import { statSync } from 'node:fs';
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

/**
 * Opens the store of a loaded configuration: its data directory (or database) and its blob store.
 * The archive must be there already unless `what.create` (a connector's check before the first
 * run): a data directory named wrongly would otherwise get a new, empty archive, and the command
 * would answer for it (a search that finds nothing, a hold placed where nothing is archived). The
 * commands that make an archive (`run`, `serve` and its roles, `restore`) open theirs themselves.
 */
export async function openConfiguredStore(
  cfg: Config,
  flags: { database?: string },
  what: ArchiveWanted & MayCreate = {},
): Promise<Store> {
  if (!what.create) requireArchiveIn(cfg, flags, what);
  const making = what.create && !databaseUrl(flags) && archiveIn(cfg.dataDir) === false;
  const store = await openStore(cfg.dataDir, storeOptionsFor(cfg, flags));
  // said, so that a mistyped data directory is seen at once rather than at the next run
  if (making) what.io?.err(`note: ${cfg.dataDir} held no archive; made a new one there\n`);
  return store;
}

/** A command that sets an archive up before its first run: it may make one, saying so on `io`. */
export interface MayCreate {
  create?: boolean;
  io?: Io;
}

/**
 * Opens the configured archive for one command and closes it however the command ends.
 * `readOnly` commands start even when a destination's secret variable is not set in this shell;
 * `create`: a command that sets the archive up before its first run (a policy, a case, a hold)
 * may make it, where every other refuses a data directory without one (openConfiguredStore).
 */
export async function withStore<T>(
  flags: CommonFlags,
  fn: (store: Store, cfg: Config) => Promise<T>,
  opts: { readOnly?: boolean } & MayCreate = {},
): Promise<T> {
  const { readOnly = false, ...create } = opts;
  const cfg = await resolveConfig(flags, readOnly);
  const store = await openConfiguredStore(cfg, flags, create);
  try {
    return await fn(store, cfg);
  } finally {
    await store.close();
  }
}

/** Whether the data directory holds an archive; undefined for a path through a file, which opening it names. */
function archiveIn(dataDir: string): boolean | undefined {
  try {
    return statSync(archiveDbFile(dataDir), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return undefined;
  }
}

/** For the refusal of a data directory without an archive: the command, and whose archive it wants. */
export interface ArchiveWanted {
  command?: string;
  whose?: string;
}

/**
 * Refuses, before opening it, a data directory that holds no archive (and no `--database` or
 * WXA_DATABASE_URL naming one): opening it would create an empty archive there, and the command
 * would answer for it as if it were the archive meant.
 */
function requireArchiveIn(cfg: Config, flags: { database?: string }, what: ArchiveWanted = {}): void {
  if (databaseUrl(flags) || archiveIn(cfg.dataDir) !== false) return;
  const prefix = `${what.command ? `${what.command}: ` : ''}${cfg.dataDir} holds no archive (no archive.db)`;
  throw new ArchiverError(
    'WXA_CONFIG_NOT_FOUND',
    what.whose
      ? `${prefix}; give --data-dir (or --database) the archive ${what.whose}`
      : `${prefix}; name an existing archive with --data-dir, --config or --database (\`run\` or \`serve\` makes a new one, \`restore\` brings one back from a backup)`,
  );
}
