/**
 * `check` for the IMAP destination: logs in to the configured check mailbox, makes sure the
 * folder exists and opens read-write, and reports what the server offers (size limit,
 * extensions that matter for appending). Never appends anything.
 */
import type { ImapFlow } from 'imapflow';
import type { CheckResult } from '../types.js';
import { loginName } from './auth.js';
import type { ImapSettings } from './config.js';
import { classifyImapError } from './errors.js';
import { appendLimitOf, type FolderCache } from './folder.js';
import type { ConnectionPool } from './pool.js';

/** Extensions worth reporting: how appends travel and what the server will tell us. */
const REPORTED = ['IMAP4rev2', 'UIDPLUS', 'MULTIAPPEND', 'LITERAL+', 'LITERAL-', 'BINARY', 'QUOTA', 'COMPRESS=DEFLATE'];

function transport(cfg: ImapSettings): string {
  if (cfg.secure) return 'implicit TLS';
  return cfg.starttls ? 'STARTTLS' : 'no TLS';
}

export async function runCheck(
  cfg: ImapSettings,
  server: string,
  pool: ConnectionPool<ImapFlow>,
  folders: FolderCache,
): Promise<CheckResult> {
  const mailbox = cfg.checkMailbox;
  const details: string[] = [];
  try {
    return await pool.use(mailbox, async (client) => {
      details.push(`login: ${server} accepted "${loginName(cfg.auth, mailbox)}" for ${mailbox} over ${transport(cfg)}`);
      const caps = REPORTED.filter((c) => client.capabilities.has(c));
      details.push(`server: supports ${caps.length ? caps.join(', ') : 'none of ' + REPORTED.join(', ')}`);
      const limit = appendLimitOf(client);
      if (limit !== undefined) {
        details.push(
          `size limit: the server accepts messages up to ${limit.toLocaleString('en-US')} bytes (APPENDLIMIT)`,
        );
      } else if (cfg.maxMessageBytes !== undefined) {
        details.push(
          `size limit: none advertised; items over the configured maxMessageBytes (${cfg.maxMessageBytes.toLocaleString('en-US')} bytes) are held without being sent`,
        );
      } else {
        details.push(
          "size limit: none advertised; an item over the server's limit is held when the server refuses it (set maxMessageBytes to check before sending)",
        );
      }
      const path = await folders.ensure(client, mailbox, cfg.folder);
      const opened = await client.mailboxOpen(path);
      if (opened.readOnly) {
        details.push(`folder: "${path}" in ${mailbox} opens read-only; give the login write access to it`);
        return { ok: false, details };
      }
      details.push(`folder: "${path}" in ${mailbox} is ready (${opened.exists} messages)`);
      return { ok: true, details };
    });
  } catch (err) {
    const failure = classifyImapError(err, { op: 'check', mailbox, server });
    details.push(`${failure.failure}: ${failure.message}`);
    return { ok: false, details };
  }
}
