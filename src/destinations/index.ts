/**
 * The destinations' public face: the seam's types and a factory that builds the configured
 * external destinations (the embedded archive is written by the pipeline itself, in the same
 * transaction as each item).
 */
import { ArchiverError } from '../core/errors.js';
import { createGmailDestination } from './gmail/index.js';
import { createGraphDestination, type UploadSessionStore } from './graph/index.js';
import { createImapDestination, type ConnectionSlots } from './imap/index.js';
import type { Logger } from '../core/logger.js';
import type { DestinationConfig } from './schema.js';
import type { Destination } from './types.js';

export * from './types.js';
export type { ConnectionSlots } from './imap/index.js';

export { archiveDestinationSchema, destinationSchema, type DestinationConfig } from './schema.js';

export interface BuiltDestination {
  id: string;
  destination: Destination;
  perMailbox: number;
  overall: number;
}

export interface DestinationDeps {
  /**
   * Where Graph upload sessions are kept until their file is complete; one store per
   * destination id, so a restarted process resumes them (default: memory).
   */
  uploadSessions?: (destinationId: string) => UploadSessionStore;
  /** the connector's logger; each destination logs through a `{destination: id}` child of it */
  logger?: Logger;
  /** IMAP connection slots per destination id, shared with other worker processes (see ConnectionSlots) */
  connectionSlots?: (destinationId: string) => ConnectionSlots;
}

/** Builds every configured external destination; ids must be unique within a connector. */
export function buildDestinations(
  configs: readonly DestinationConfig[],
  deps: DestinationDeps = {},
): BuiltDestination[] {
  const out: BuiltDestination[] = [];
  for (const c of configs) {
    if (c.kind === 'archive') continue;
    const id = c.id ?? c.kind;
    if (out.some((d) => d.id === id)) {
      throw new ArchiverError('WXA_CONFIG_INVALID', `two destinations have the id "${id}"; give each its own "id"`);
    }
    if (c.kind === 'imap') {
      if (c.auth.kind === 'xoauth2') {
        throw new ArchiverError(
          'WXA_CONFIG_INVALID',
          `destination ${id}: XOAUTH2 needs a token provider, which this build configures only through the API; use "password" or "master" auth`,
        );
      }
      const imapDeps = {
        ...(deps.logger ? { logger: deps.logger.child({ destination: id }) } : {}),
        ...(deps.connectionSlots ? { connectionSlots: deps.connectionSlots(id) } : {}),
      };
      out.push({
        id,
        destination: createImapDestination(c, imapDeps),
        perMailbox: c.pool.perMailbox,
        overall: c.pool.total,
      });
    } else if (c.kind === 'graph') {
      const sessions = deps.uploadSessions?.(id);
      out.push({
        id,
        destination: createGraphDestination(c, sessions ? { uploadSessions: sessions } : {}),
        perMailbox: c.maxConcurrentPerMailbox,
        overall: 16,
      });
    } else {
      // Gmail's quota is per user and handled inside the client; a few imports per mailbox at once.
      out.push({ id, destination: createGmailDestination(c), perMailbox: 4, overall: 16 });
    }
  }
  return out;
}
