/**
 * Configuration of the Gmail destination: the service account (the fields of its JSON key
 * file) that acts for each mailbox through domain-wide delegation, the label items go under,
 * and the limits the client keeps to. The lead's config schema embeds it.
 */
import { z } from 'zod';
import { secretField } from '../../config/secret.js';

const MIB = 1024 * 1024;

/** users.messages.import: "the maximum size of the message is 150 MB" (Google's MB is MiB). */
export const GMAIL_MAX_MESSAGE_BYTES = 150 * MIB;

/**
 * Google's upload guide keeps simple and multipart uploads for "5 MB or less"; larger items go
 * through a resumable session, so a dropped connection costs one chunk, not the whole item.
 */
export const GMAIL_MULTIPART_MAX_BYTES = 5 * MIB;

/** Resumable chunks must be multiples of 256 KiB (all but the last). */
export const GMAIL_CHUNK_QUANTUM = 256 * 1024;

/**
 * The scopes the service account asks for; the Workspace admin authorizes exactly these for
 * its client id (Admin console > Security > API controls > Domain-wide delegation).
 * - gmail.insert: users.messages.import (it cannot read or list anything);
 * - gmail.labels: users.labels.list and users.labels.create;
 * - gmail.readonly: users.messages.list with `q=rfc822msgid:` (the idempotency check).
 *   gmail.metadata would read less but forbids the `q` parameter, so finding one item would
 *   mean paging through the whole label. gmail.modify would cover all three in one scope
 *   but also lets the holder trash and relabel existing mail, which an archiver never needs.
 */
export const GMAIL_SCOPES = [
  'https://www.googleapis.com/auth/gmail.insert',
  'https://www.googleapis.com/auth/gmail.labels',
  'https://www.googleapis.com/auth/gmail.readonly',
] as const;

export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
export const GMAIL_BASE_URL = 'https://gmail.googleapis.com';

const serviceAccount = z
  .object({
    client_email: z.email().describe('Service account e-mail (client_email of the JSON key file), the JWT issuer.'),
    private_key: secretField(
      z.string().includes('PRIVATE KEY-----', { message: 'a PEM private key (-----BEGIN PRIVATE KEY-----)' }),
    ).describe(
      'PEM private key of the service account (private_key of the JSON key file), or { "env": "NAME" }. Secret.',
    ),
    private_key_id: z
      .string()
      .optional()
      .describe('Key id (private_key_id of the JSON key file), sent as the JWT "kid" so Google picks the key.'),
    token_uri: z
      .url()
      .default(GOOGLE_TOKEN_URI)
      .describe('OAuth 2.0 token endpoint (token_uri of the JSON key file); also the JWT audience.'),
  })
  .describe(
    'The JSON key file of a service account with domain-wide delegation (other fields of the file are ignored). ' +
      `Authorize its client id for the scopes ${GMAIL_SCOPES.join(', ')}.`,
  );

export const gmailDestinationSchema = z
  .object({
    kind: z.literal('gmail'),
    serviceAccount,
    label: z
      .string()
      .min(1)
      .default('WeChat Archiver')
      .describe('Gmail label the items are imported under (not the inbox); created when missing.'),
    apiBaseUrl: z
      .url()
      .default(GMAIL_BASE_URL)
      .describe('Origin of the Gmail API (default https://gmail.googleapis.com); replaced only for a test emulator.'),
    uploadBaseUrl: z.url().optional().describe('Origin of the Gmail upload endpoints (default: apiBaseUrl).'),
    maxRetries: z
      .number()
      .int()
      .min(0)
      .max(20)
      .default(5)
      .describe('Retries of one request after throttling or a passing fault before giving up (default 5).'),
    maxRetryWaitSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(120)
      .describe('Longest wait Google may ask for that is waited in place (default 120 s); longer is handed back.'),
    requestTimeoutSeconds: z
      .number()
      .int()
      .min(5)
      .max(3600)
      .default(120)
      .describe('Time allowed for one request, one upload chunk included (default 120 s).'),
    uploadChunkMiB: z
      .number()
      .int()
      .min(1)
      .max(150)
      .default(8)
      .describe('Size of one resumable upload chunk (default 8 MiB); a dropped connection re-sends at most this.'),
    checkMailbox: z
      .email()
      .optional()
      .describe('Mailbox that check() acts as to verify delegation, scopes and the label (nothing is written).'),
  })
  .describe('Google Workspace mailboxes through the Gmail API (users.messages.import).');

export type GmailDestinationConfig = z.infer<typeof gmailDestinationSchema>;
export type GmailDestinationInput = z.input<typeof gmailDestinationSchema>;
