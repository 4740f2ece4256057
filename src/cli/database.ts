/**
 * The `--database URL` / WXA_DATABASE_URL choice of database, checked before any command runs.
 * The pipeline (`run`), the read commands, retention, supervision, audit and evidence run on
 * PostgreSQL; a command that still reaches a part only the embedded SQLite database carries
 * refuses at once with WXA_STORE_SQLITE_ONLY, naming those parts, rather than migrating the
 * database and failing half-way through. `backup` / `restore` copy SQLite's file: on PostgreSQL
 * their refusal says what backs the archive up instead (pg_dump and the blob store's copy).
 */
import type { Command } from 'commander';
import { ArchiverError } from '../core/errors.js';
import { POSTGRES_BACKUP_ADVICE } from '../compliance/backup/postgres-advice.js';
import { isPostgresUrl } from '../store/dialect/postgres-url.js';

/** The database URL a command was given (flag first, then the environment), if any. */
export function databaseUrl(flags: { database?: string }, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = flags.database ?? env.WXA_DATABASE_URL;
  return url === undefined || url.trim() === '' ? undefined : url.trim();
}

/**
 * Commands that run on a PostgreSQL database, by their full name. Each of these reaches only
 * store functions with a PostgreSQL path (tested on both dialects).
 */
export const POSTGRES_COMMANDS: ReadonlySet<string> = new Set([
  'run',
  'status',
  'report',
  'item show',
  'mailbox list',
  'mailbox show',
  'verify',
  'item delete',
  'retention add',
  'retention list',
  'retention run',
  'search',
  'reindex',
  'retention lock',
  'retention update',
  'retention enable',
  'retention disable',
  'retention remove',
  'supervision add',
  'supervision list',
  'supervision apply',
  'supervision queue',
  'supervision report',
  'audit verify',
  'audit export',
  'audit prune',
  'checkpoint',
  'evidence',
  'connector check',
  'case create',
  'case list',
  'case show',
  'case close',
  'case reopen',
  'hold add',
  'hold list',
  'hold release',
  'export',
  'export list',
  'verify-export',
  'serve',
]);

/**
 * The store parts a PostgreSQL database does not carry yet (named in the refusal). The other
 * commands (backup and restore, which refuse naming pg_dump) are refused until each is tested
 * on PostgreSQL.
 * (`mapping check` reads only its CSV file and takes no database.)
 */
export const SQLITE_ONLY_PARTS = ['backup and restore'];

/**
 * Throws for a command given a database URL it cannot use: WXA_DATABASE_URL_INVALID for a URL
 * that is not PostgreSQL's, else WXA_STORE_SQLITE_ONLY for a command not in POSTGRES_COMMANDS,
 * naming the command, what it would reach, and the commands that do run on PostgreSQL.
 */
export function refusePostgresFor(command: string, flags: { database?: string }, env = process.env): void {
  const url = databaseUrl(flags, env);
  if (url === undefined) return;
  isPostgresUrl(url);
  if (POSTGRES_COMMANDS.has(command)) return;
  if (command === 'backup' || command === 'restore')
    throw new ArchiverError('WXA_STORE_SQLITE_ONLY', `${command}: ${POSTGRES_BACKUP_ADVICE}`);
  throw new ArchiverError(
    'WXA_STORE_SQLITE_ONLY',
    `${command}: this version runs this command on the embedded SQLite database only. On PostgreSQL it runs ` +
      `${[...POSTGRES_COMMANDS].join(', ')}; the PostgreSQL store does not yet carry ${SQLITE_ONLY_PARTS.join('; ')}. ` +
      'Unset WXA_DATABASE_URL and leave out --database to use the archive in the data directory',
  );
}

/** Registers the check on every command that takes `--database` (before its action runs). */
export function guardDatabaseOption(program: Command): void {
  program.hook('preAction', (_root, action) => {
    if (!action.options.some((o) => o.long === '--database')) return;
    const names: string[] = [];
    for (let c: Command | null = action; c && c.parent; c = c.parent) names.unshift(c.name());
    refusePostgresFor(names.join(' '), action.opts<{ database?: string }>());
  });
}
