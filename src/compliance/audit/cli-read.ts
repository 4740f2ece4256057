/**
 * Reads through the CLI are audit events like the console's: the actor is the operating
 * system user who ran the command (`os:alice`), since the CLI has no console login. Commands
 * that show archived content (item show, mailbox show, search, export) call `auditCliRead`
 * before printing anything.
 */
import { userInfo } from 'node:os';
import type { Db } from '../../store/db.js';
import type { AuditAction } from './actions.js';
import { appendAudit } from './log.js';

/** `os:<login name>`; the numeric uid when the system has no name for it (some containers). */
export function cliActor(): string {
  try {
    return `os:${userInfo().username}`;
  } catch {
    return `os:uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

export async function auditCliRead(
  db: Db,
  e: { action: AuditAction; target: string; detail?: Record<string, unknown> },
  now = Date.now(),
): Promise<void> {
  await appendAudit(
    db,
    { actor: cliActor(), action: e.action, target: e.target, detail: { ...e.detail, via: 'cli' } },
    now,
  );
}
