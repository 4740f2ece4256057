/** The `evidence` section: who signs checkpoints, how often, and which time-stamping authority anchors them. */
import { z } from 'zod';

export const evidenceSchema = z
  .object({
    keyFile: z
      .string()
      .optional()
      .describe(
        'Ed25519 private key (PEM, PKCS#8) that signs checkpoints; default evidence.key in the data directory, created on first use with mode 0600. Keep a copy apart from the data.',
      ),
    checkpointEveryMinutes: z
      .number()
      .int()
      .min(1)
      .default(60)
      .describe('serve: sign a checkpoint at least this often while the logs grow (minutes, default 60).'),
    checkpointEveryEvents: z
      .number()
      .int()
      .min(1)
      .default(10_000)
      .describe(
        'serve: sign a checkpoint as soon as this many ingest events were added since the last (default 10000).',
      ),
    tsa: z
      .object({
        url: z.url().describe('URL of an RFC 3161 time-stamping authority (HTTP POST of application/timestamp-query).'),
        caFile: z
          .string()
          .describe(
            'PEM file of the certificates that the TSA chains to; replies that do not verify against it are refused.',
          ),
      })
      .optional()
      .describe('Time-stamp every checkpoint by an RFC 3161 authority; without it checkpoints are only signed.'),
  })
  .default({ checkpointEveryMinutes: 60, checkpointEveryEvents: 10_000 })
  .describe('Tamper evidence: signed, optionally time-stamped checkpoints of the ingest and audit logs.');
