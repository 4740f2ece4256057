/**
 * The configuration schema of every destination kind, apart from the code that delivers: the
 * config loader validates a file with it without loading IMAP, Graph or Gmail clients, and a
 * process that only reads the configuration never pulls them in.
 */
import { z } from 'zod';
import { gmailDestinationSchema } from './gmail/config.js';
import { graphDestinationSchema } from './graph/config.js';
import { imapDestinationSchema } from './imap/config.js';

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
