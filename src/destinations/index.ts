/**
 * The destinations' public face: the seam's types and a factory that builds the configured
 * external destinations (the embedded archive is written by the pipeline itself, in the same
 * transaction as each item).
 */
import { z } from 'zod';
import { ArchiverError } from '../core/errors.js';
import { createGmailDestination, gmailDestinationSchema } from './gmail/index.js';
import { createGraphDestination, graphDestinationSchema, type UploadSessionStore } from './graph/index.js';
import { createImapDestination, imapDestinationSchema } from './imap/index.js';
import type { Destination } from './types.js';

export * from './types.js';

const idField = z
  .string()
  .regex(/^[a-z0-9][a-z0-9:_-]{0,62}$/, 'lower-case letters, digits, ":", "_" and "-"')
  .optional()
  .describe('Stable id of this destination (default: its kind); it keys the delivery ledger: never change it.');

export const archiveDestinationSchema = z
  .object({ kind: z.literal('archive'), id: idField })
  .describe('The embedded archive in the data directory (always written).');

export const destinationSchema = z.discriminatedUnion('kind', [
  archiveDestinationSchema,
  imapDestinationSchema.extend({ id: idField }),
  graphDestinationSchema.extend({ id: idField }),
  gmailDestinationSchema.extend({ id: idField }),
]);

export type DestinationConfig = z.infer<typeof destinationSchema>;

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
      out.push({ id, destination: createImapDestination(c), perMailbox: c.pool.perMailbox, overall: c.pool.total });
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
