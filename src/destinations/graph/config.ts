/**
 * Configuration of the Microsoft Graph destination: which tenant and app, how the app proves
 * who it is (a certificate is preferred over a secret), which cloud, and the limits it keeps
 * to. Validated once with the rest of the configuration; the lead's config schema embeds it.
 */
import { z } from 'zod';
import { secretField } from '../../config/secret.js';

const MIB = 1024 * 1024;

/** Exchange Online's largest message and Graph's largest upload session: 150 MB (150 MiB). */
export const GRAPH_MAX_ATTACHMENT_BYTES = 150 * MIB;

/**
 * Exchange Online's default maximum receive size, "35 MB". Exchange means binary megabytes:
 * Get-Mailbox shows the default MaxReceiveSize as "35 MB (36,700,160 bytes)", i.e. 35 MiB.
 * The whole message counts (body and attachments); an admin can raise it to 150 MB.
 */
export const GRAPH_DEFAULT_MAX_MESSAGE_BYTES = 35 * MIB;

/**
 * Upload volume Exchange allows an app per mailbox: "150 MB upload (PATCH, POST, PUT) in a
 * 5 minute period" (Graph throttling limits). Microsoft does not say which megabyte, so the
 * client paces itself to the smaller reading, 150,000,000 bytes.
 */
export const GRAPH_UPLOAD_BYTES_PER_5_MIN = 150_000_000;

/** Microsoft documents at most 4 concurrent requests per app and mailbox. */
export const GRAPH_MAILBOX_CONCURRENCY = 4;

/** ...and at most 10,000 requests per app and mailbox in any 10 minutes. */
export const GRAPH_MAILBOX_REQUESTS_PER_10_MIN = 10_000;

const secretAuth = z
  .object({
    kind: z.literal('secret'),
    secret: secretField(z.string().min(1)).describe(
      'Client secret value of the app registration (not its id), or { "env": "NAME" }. Secret.',
    ),
  })
  .describe('Client secret: simple to set up, but it must be rotated; prefer a certificate.');

const certificateAuth = z
  .object({
    kind: z.literal('certificate'),
    thumbprintSha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, '64 hex digits')
      .optional()
      .describe('SHA-256 thumbprint of the certificate uploaded to the app registration (preferred).'),
    thumbprint: z
      .string()
      .regex(/^[0-9a-fA-F]{40}$/, '40 hex digits')
      .optional()
      .describe('SHA-1 thumbprint of the certificate, for older setups; use thumbprintSha256 when you can.'),
    privateKeyPem: secretField(
      z.string().includes('PRIVATE KEY-----', { message: 'a PEM private key (-----BEGIN PRIVATE KEY-----)' }),
    ).describe('PEM private key of the certificate (-----BEGIN PRIVATE KEY-----), or { "env": "NAME" }. Secret.'),
    x5c: z
      .string()
      .optional()
      .describe('PEM public certificate chain, sent only for subject name / issuer authentication.'),
  })
  .refine((a) => a.thumbprintSha256 !== undefined || a.thumbprint !== undefined, {
    message: 'give thumbprintSha256 (or the older SHA-1 thumbprint) of the certificate',
  })
  .describe('Certificate credential: the private key signs each token request and is never sent.');

export const graphDestinationSchema = z
  .object({
    kind: z.literal('graph'),
    tenantId: z.string().min(1).describe('Directory (tenant) id or a verified domain of the tenant.'),
    clientId: z.string().min(1).describe('Application (client) id of the app registration.'),
    auth: z
      .discriminatedUnion('kind', [secretAuth, certificateAuth])
      .describe('How the app authenticates: application permission Mail.ReadWrite, admin-consented.'),
    cloud: z
      .enum(['worldwide', 'gcc', 'gcc-high', 'dod', 'china'])
      .default('worldwide')
      .describe('Microsoft cloud of the tenant; decides the sign-in and Graph hosts.'),
    graphBaseUrl: z
      .url()
      .optional()
      .describe('Replaces the Graph URL of the cloud (e.g. a test emulator); the token scope is unchanged.'),
    authorityUrl: z
      .url({ protocol: /^https$/ })
      .optional()
      .describe('Replaces the sign-in authority (https://host/tenant); an unknown host is trusted as given.'),
    folder: z
      .string()
      .min(1)
      .max(255)
      .default('WeChat Archiver')
      .describe('Top-level mail folder the items go to; created when missing.'),
    maxConcurrentPerMailbox: z
      .number()
      .int()
      .min(1)
      .max(GRAPH_MAILBOX_CONCURRENCY)
      .default(GRAPH_MAILBOX_CONCURRENCY)
      .describe('Requests in flight per mailbox, uploads included (default 4, the limit Exchange enforces).'),
    requestsPer10Minutes: z
      .number()
      .int()
      .min(1)
      .max(GRAPH_MAILBOX_REQUESTS_PER_10_MIN)
      .default(GRAPH_MAILBOX_REQUESTS_PER_10_MIN)
      .describe(
        'Requests per mailbox in any 10 minutes (default 10,000, the Exchange limit per app and mailbox); ' +
          'divide it among workers that deliver to the same mailboxes.',
      ),
    maxRetries: z
      .number()
      .int()
      .min(0)
      .max(20)
      .default(6)
      .describe('Retries of one request after throttling or a passing fault before giving up (default 6).'),
    maxRetryWaitSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(120)
      .describe('Longest Retry-After waited for in place (default 120 s); a longer one is handed back as throttled.'),
    requestTimeoutSeconds: z
      .number()
      .int()
      .min(5)
      .max(3600)
      .default(120)
      .describe('Time allowed for one request, a 4 MB upload chunk included (default 120 s).'),
    maxAttachmentBytes: z
      .number()
      .int()
      .min(1)
      .max(GRAPH_MAX_ATTACHMENT_BYTES)
      .default(GRAPH_MAX_ATTACHMENT_BYTES)
      .describe(
        'Largest single attachment stored in the mailbox (default 150 MiB, bytes); larger ones are replaced by a note. ' +
          'The whole message is limited by maxMessageBytes.',
      ),
    maxMessageBytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .max(GRAPH_MAX_ATTACHMENT_BYTES)
      .default(GRAPH_DEFAULT_MAX_MESSAGE_BYTES)
      .describe(
        "Largest whole message (body and attachments) the mailboxes accept: the tenant's maximum receive size " +
          '(default 35 MB = 36,700,160 bytes, the Exchange Online default; up to 150 MB = 157,286,400 bytes when raised). ' +
          'An item over it is delivered without its largest attachments, each replaced by a note.',
      ),
    uploadBytesPer5Minutes: z
      .number()
      .int()
      .min(4 * MIB)
      .max(GRAPH_UPLOAD_BYTES_PER_5_MIN)
      .default(GRAPH_UPLOAD_BYTES_PER_5_MIN)
      .describe(
        'Bytes uploaded per mailbox in any 5 minutes (default 150,000,000, the Exchange limit per app and mailbox); ' +
          'uploads wait for room instead of being throttled.',
      ),
    checkMailbox: z
      .string()
      .optional()
      .describe('Mailbox that check() reads to verify access and the folder (nothing is written).'),
  })
  .describe('Microsoft 365 mailboxes through Microsoft Graph (Exchange Online).');

export type GraphDestinationConfig = z.infer<typeof graphDestinationSchema>;
export type GraphDestinationInput = z.input<typeof graphDestinationSchema>;
