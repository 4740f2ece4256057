/** PostgreSQL URLs: which are, and how to name one in a message without its password. */
import { ArchiverError } from '../../core/errors.js';

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the database URL';
  }
}

/** Whether `url` names a PostgreSQL database; throws WXA_DATABASE_URL_INVALID for any other URL. */
export function isPostgresUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ArchiverError(
      'WXA_DATABASE_URL_INVALID',
      'the database URL is not a URL; give postgres://USER:PASSWORD@HOST:PORT/DATABASE',
    );
  }
  if (u.protocol === 'postgres:' || u.protocol === 'postgresql:') return true;
  throw new ArchiverError(
    'WXA_DATABASE_URL_INVALID',
    `the database URL has the scheme "${u.protocol}"; only postgres:// or postgresql:// are supported ` +
      '(leave it unset for the embedded SQLite database)',
  );
}
