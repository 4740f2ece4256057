/**
 * The IMAP destination's configuration: server, TLS, folder, how to log in to each mailbox,
 * and the connection caps. Validated once by the config loader; secure by default (implicit
 * TLS on 993, certificates verified).
 */
import { z } from 'zod';
import { secretField } from '../../config/secret.js';

/** `{mailbox}`, `{local}` and `{domain}` in a login name template. */
const TEMPLATE_HELP = '`{mailbox}` is the mailbox address, `{local}` its part before @, `{domain}` the part after';

const passwordAuth = z
  .object({
    kind: z.literal('password').describe('Each mailbox logs in itself.'),
    user: z
      .string()
      .min(1)
      .default('{mailbox}')
      .describe(`Login name, fixed or a template: ${TEMPLATE_HELP}. Default "{mailbox}".`),
    password: secretField(z.string().min(1)).describe(
      'Password used for every mailbox without an entry in `passwords`, or { "env": "NAME" }. Secret.',
    ),
    passwords: z
      .record(z.string(), secretField(z.string().min(1)))
      .optional()
      .describe('Per-mailbox passwords (mailbox address -> password), for a few mailboxes with their own. Secret.'),
  })
  .describe(
    "Each mailbox's own login. Practical for one shared archive mailbox (fixed user) or a few mailboxes; for a whole organisation use `master` or `xoauth2`.",
  );

const masterAuth = z
  .object({
    kind: z.literal('master').describe('One master user logs in as each mailbox.'),
    masterUser: z.string().min(1).describe('The master (administrator) login name.'),
    password: secretField(z.string().min(1)).describe('The master user\'s password, or { "env": "NAME" }. Secret.'),
    login: z
      .string()
      .min(1)
      .default('{mailbox}*{master}')
      .describe(
        `How the login name combines mailbox and master user: \`{master}\` plus ${TEMPLATE_HELP}. Default "{mailbox}*{master}" (Dovecot's auth_master_user_separator "*"); Exchange on-premises: "{master}\\\\{mailbox}" with masterUser "DOMAIN\\\\admin".`,
      ),
    authzid: z
      .boolean()
      .default(false)
      .describe(
        'Log in as the master user with the mailbox as SASL PLAIN authorization id (RFC 4616) instead of the combined `login` name.',
      ),
  })
  .describe('One administrator login that can open every mailbox (Dovecot master user, Exchange FullAccess).');

const xoauth2Auth = z
  .object({
    kind: z.literal('xoauth2').describe('OAuth2 access token per mailbox (SASL XOAUTH2).'),
    user: z
      .string()
      .min(1)
      .default('{mailbox}')
      .describe(`The user named in the XOAUTH2 exchange: ${TEMPLATE_HELP}. Default "{mailbox}".`),
  })
  .describe(
    'SASL XOAUTH2 with an access token per mailbox (Exchange Online IMAP.AccessAsApp, Gmail); the token provider is given by the application, not in this file.',
  );

export const imapDestinationSchema = z
  .object({
    kind: z.literal('imap').describe('Deliver into mailboxes over IMAP.'),
    host: z.string().min(1).describe('IMAP server host name (the certificate is checked against it).'),
    port: z.number().int().min(1).max(65_535).optional().describe('Port; default 993 with `secure`, else 143.'),
    secure: z.boolean().default(true).describe('Implicit TLS from the first byte (port 993). Default true.'),
    starttls: z
      .boolean()
      .default(true)
      .describe(
        'Without `secure`: require STARTTLS (true, default) or talk in clear text (false, only for a server on the same host).',
      ),
    tls: z
      .object({
        rejectUnauthorized: z
          .boolean()
          .default(true)
          .describe('Refuse a certificate that does not verify. Default true; false is for tests only.'),
        ca: z.string().optional().describe('PEM of a private CA to trust besides the system ones.'),
        servername: z.string().optional().describe('Name expected in the certificate when `host` is an address.'),
      })
      .default({ rejectUnauthorized: true })
      .describe('TLS certificate checks.'),
    folder: z
      .string()
      .min(1)
      .default('WeChat Archiver')
      .describe('Folder created in every mailbox for the archived items. Default "WeChat Archiver".'),
    auth: z.discriminatedUnion('kind', [passwordAuth, masterAuth, xoauth2Auth]).describe('How to log in to a mailbox.'),
    checkMailbox: z
      .string()
      .min(3)
      .describe(
        'A mailbox `check` logs in to (nothing is written there but the folder); also used to tell a refused mailbox from refused credentials.',
      ),
    maxMessageBytes: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "The server's message size limit in bytes when it does not advertise APPENDLIMIT (e.g. Exchange MaxReceiveSize); larger items are held without being sent.",
      ),
    pool: z
      .object({
        perMailbox: z
          .number()
          .int()
          .min(1)
          .max(16)
          .default(4)
          .describe(
            'Connections open at once to one mailbox (a backlog is delivered over several). Default 4; Dovecot allows 10 per user and address unless mail_max_userip_connections says otherwise.',
          ),
        total: z.number().int().min(1).max(256).default(16).describe('Connections open at once in all. Default 16.'),
        idleMs: z
          .number()
          .int()
          .min(0)
          .default(60_000)
          .describe('Milliseconds an unused connection stays open for reuse. Default 60000 ms.'),
      })
      .default({ perMailbox: 4, total: 16, idleMs: 60_000 })
      .describe('Connection reuse and caps.'),
    timeouts: z
      .object({
        connectMs: z.number().int().positive().default(20_000).describe('TCP and TLS connect, ms. Default 20000 ms.'),
        greetingMs: z.number().int().positive().default(15_000).describe('Server greeting, ms. Default 15000 ms.'),
        socketMs: z
          .number()
          .int()
          .positive()
          .default(120_000)
          .describe('Silence on an open connection before it is dropped, ms. Default 120000 ms.'),
      })
      .default({ connectMs: 20_000, greetingMs: 15_000, socketMs: 120_000 })
      .describe('Network timeouts; a timeout is a transient failure.'),
  })
  .describe('Deliver each item into a folder of every mapped mailbox over IMAP (APPEND).');

export type ImapDestinationConfig = z.input<typeof imapDestinationSchema>;
export type ImapSettings = z.output<typeof imapDestinationSchema>;
export type ImapAuthSettings = ImapSettings['auth'];

/** The port actually used: the configured one or the IANA default for the TLS mode. */
export function portOf(s: ImapSettings): number {
  return s.port ?? (s.secure ? 993 : 143);
}
