/**
 * What backs up an archive on PostgreSQL, said by the refusals of `backup` / `restore` and the
 * integrity page. Its own module so the CLI's option check can name it without loading the
 * backup code.
 */
export const POSTGRES_BACKUP_ADVICE =
  'backup and restore copy the embedded SQLite database; back up a PostgreSQL archive with pg_dump ' +
  '(or pg_basebackup with WAL archiving) and a copy of the blob store, then prove the copy with verify (see docs/deployment.md, Backups)';
