/**
 * The `--database URL` / WXA_DATABASE_URL choice of database, checked before any command runs.
 * The store opens PostgreSQL (src/store/db.ts), but capture and processing still write through
 * SQLite's prepared statements, and deletion, backup and the data directory's writer lock are
 * SQLite's too, so every command here would reach one of them. Until each has
 * its PostgreSQL path, a command given a PostgreSQL URL refuses at once with
 * WXA_STORE_SQLITE_ONLY rather than migrating the database and failing half-way through.
 */
import type { Command } from 'commander';
import { ArchiverError } from '../core/errors.js';
import { isPostgresUrl } from '../store/dialect/postgres.js';

/** The database URL a command was given (flag first, then the environment), if any. */
export function databaseUrl(flags: { database?: string }, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = flags.database ?? env.WXA_DATABASE_URL;
  return url === undefined || url.trim() === '' ? undefined : url.trim();
}

/** The store parts a PostgreSQL database does not carry yet (named in the refusal). */
export const SQLITE_ONLY_PARTS = [
  'capture and record processing (prepared statements)',
  'the ingest log as the pipeline appends it',
  'item deletion (retention, disposition)',
  'backup and restore',
  "the data directory's writer lock",
];

/**
 * Throws for a command given a database URL: WXA_DATABASE_URL_INVALID for a URL that is not
 * PostgreSQL's, else WXA_STORE_SQLITE_ONLY naming the command and what it would reach.
 */
export function refusePostgresFor(command: string, flags: { database?: string }, env = process.env): void {
  const url = databaseUrl(flags, env);
  if (url === undefined) return;
  isPostgresUrl(url);
  throw new ArchiverError(
    'WXA_STORE_SQLITE_ONLY',
    `${command}: this version runs commands on the embedded SQLite database only. The PostgreSQL store ` +
      `does not yet carry ${SQLITE_ONLY_PARTS.join('; ')}, which this command reaches. Unset WXA_DATABASE_URL ` +
      'and leave out --database to use the archive in the data directory',
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
