/**
 * Open upload sessions of the Graph destination, kept in the database so an upload cut by a
 * restart resumes from the session's next expected byte while the session is valid. The
 * session URL is a credential (pre-authenticated, valid until the session expires): it is
 * sealed by the caller's secret box when one is given, and expired rows are dropped on read.
 */
import type { Db } from './db.js';

export interface StoredUploadSession {
  uploadUrl: string;
  expiresAt: number;
  size: number;
}

/** Seals and opens the URL at rest (the master-key secret box); identity when absent. */
export interface UrlSeal {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function uploadSessionStore(db: Db, opts: { now?: () => number; seal?: UrlSeal } = {}) {
  const now = opts.now ?? Date.now;
  return {
    async get(key: string): Promise<StoredUploadSession | undefined> {
      await db.deleteFrom('upload_sessions').where('expires_at', '<=', now()).execute();
      const row = await db.selectFrom('upload_sessions').selectAll().where('key', '=', key).executeTakeFirst();
      if (!row) return undefined;
      return {
        uploadUrl: opts.seal ? opts.seal.open(row.upload_url) : row.upload_url,
        expiresAt: Number(row.expires_at),
        size: Number(row.size),
      };
    },
    async put(key: string, s: StoredUploadSession): Promise<void> {
      const values = {
        upload_url: opts.seal ? opts.seal.seal(s.uploadUrl) : s.uploadUrl,
        expires_at: s.expiresAt,
        size: s.size,
      };
      await db
        .insertInto('upload_sessions')
        .values({ key, ...values, created_at: now() })
        .onConflict((oc) => oc.column('key').doUpdateSet(values))
        .execute();
    },
    async delete(key: string): Promise<void> {
      await db.deleteFrom('upload_sessions').where('key', '=', key).execute();
    },
  };
}
