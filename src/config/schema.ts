/**
 * The one configuration schema. Loaded from a JSON file, then environment, then flags;
 * validated once with every problem reported together; frozen. Paths are resolved against
 * the directory of the config file.
 */
import { z } from 'zod';
import { destinationSchema } from '../destinations/schema.js';

const sandboxSource = z
  .object({
    kind: z.literal('sandbox'),
    dir: z.string().min(1).describe('Directory of a sandbox tenant made by `wechat-archiver sandbox generate`.'),
  })
  .describe('A simulated WeCom corp, for trials, demos and tests.');

const wecomSource = z
  .object({
    kind: z.literal('wecom'),
    corpId: z.string().min(1).describe('WeCom corp id (企业ID).'),
    secretEnv: z
      .string()
      .default('WXA_WECOM_SECRET')
      .describe('Name of the environment variable that holds the archive secret (会话内容存档 Secret). Secret.'),
    keysDir: z.string().min(1).describe('Directory with one RSA private key per version, named v<N>.pem.'),
    sdkLibrary: z.string().min(1).describe('Path of libWeWorkFinanceSdk_C.so, downloaded from Tencent.'),
    proxy: z.string().default('').describe('Proxy for the SDK, e.g. socks5://host:port; empty for none.'),
    proxyPasswordEnv: z
      .string()
      .optional()
      .describe('Name of the environment variable holding the proxy credentials "user:pass". Secret.'),
    timeoutSeconds: z
      .number()
      .int()
      .min(10)
      .max(600)
      .default(60)
      .describe('Watchdog per SDK call in seconds (default 60 s): a call that takes longer restarts the SDK process.'),
    directory: z
      .object({
        baseUrl: z.string().url().default('https://qyapi.weixin.qq.com/cgi-bin/').describe('WeCom API base URL.'),
        contactSecretEnv: z
          .string()
          .optional()
          .describe(
            'Environment variable with the contacts app secret (for user/get); default the archive secret. Secret.',
          ),
        externalSecretEnv: z
          .string()
          .optional()
          .describe('Environment variable with the customer-contact app secret (externalcontact/*). Secret.'),
        rateLimitPerSecond: z.number().positive().default(10).describe('Directory API calls per second (default 10).'),
      })
      .optional()
      .describe('Names of people and groups from the WeCom directory APIs; without it, ids are shown as they are.'),
  })
  .describe('The production WeCom conversation archive through the vendor Finance SDK.');

const mapping = z
  .object({
    csv: z
      .string()
      .optional()
      .describe('CSV of people -> mailbox (userid, mobile, external id, mailbox), consulted first.'),
    autoFromDirectoryEmail: z
      .boolean()
      .default(true)
      .describe('Map an employee to the e-mail address the directory gives, when the CSV does not.'),
    addressTemplate: z
      .string()
      .optional()
      .describe('Address for employees the CSV and directory do not map, e.g. "{userid}@example.com".'),
    catchAll: z
      .string()
      .optional()
      .describe('Mailbox that receives items no participant maps to (else they are held).'),
  })
  .default({ autoFromDirectoryEmail: true });

const schedule = z
  .object({
    intervalSeconds: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .default(60)
      .describe('Seconds between capture runs (default 60 s; 86400 s is the once-a-day of other products).'),
  })
  .default({ intervalSeconds: 60 });

export const connectorSchema = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes')
    .describe('Stable connector id: it keys the cursor and the items; never change it.'),
  name: z.string().optional().describe('Display name.'),
  source: z.discriminatedUnion('kind', [sandboxSource, wecomSource]),
  mapping,
  destinations: z
    .array(destinationSchema)
    .min(1)
    .default([{ kind: 'archive' }])
    .describe('Where items go: the embedded archive (always), and IMAP servers, Microsoft 365 or Gmail.'),
  schedule,
  callback: z
    .object({
      tokenEnv: z.string().describe('Environment variable with the callback Token. Secret.'),
      encodingAesKeyEnv: z.string().describe('Environment variable with the callback EncodingAESKey. Secret.'),
      host: z.string().default('127.0.0.1').describe('Listen address (put a TLS reverse proxy in front).'),
      port: z.number().int().min(0).max(65_535).default(8790).describe('Listen port (default 8790).'),
      path: z.string().default('/wecom/callback').describe('URL path registered in the WeCom admin console.'),
    })
    .optional()
    .describe('The msgaudit_notify callback: a pull starts as soon as WeCom says there is new data; polling stays.'),
});

import { auditSchema } from './audit.js';
import { backupSchema } from './backup.js';
import { blobsSchema } from './blobs.js';
import { evidenceSchema } from './evidence.js';
import { exportSchema } from './export.js';
import { retentionSchema } from './retention.js';

export const configSchema = z
  .object({
    dataDir: z.string().default('.data').describe('Directory of the database and blobs.'),
    blobs: blobsSchema,
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
      .default('info')
      .describe('Log level (WXA_LOG_LEVEL and --log-level override it); secrets and message content are never logged.'),
    workers: z
      .number()
      .int()
      .min(0)
      .max(64)
      .optional()
      .describe('Decrypt worker threads (default: one per core but one, at least one; 0 decrypts on the main thread).'),
    connectors: z.array(connectorSchema).default([]),
    console: z
      .object({
        enabled: z.boolean().default(true).describe('Serve the web console and its API (default true).'),
        host: z
          .string()
          .default('127.0.0.1')
          .describe('Listen address (default 127.0.0.1: put a TLS reverse proxy in front to expose it).'),
        port: z.number().int().min(0).max(65_535).default(8788).describe('Listen port (default 8788).'),
        secureCookies: z
          .boolean()
          .default(false)
          .describe('Mark the session cookie Secure; set it when users reach the console over HTTPS.'),
      })
      .default({ enabled: true, host: '127.0.0.1', port: 8788, secureCookies: false })
      .describe('The web console (accounts, connector wizard, live progress, problems, mailboxes, audit).'),
    evidence: evidenceSchema,
    retention: retentionSchema,
    backup: backupSchema,
    audit: auditSchema,
    export: exportSchema,
  })
  .describe('WeChat Archiver configuration');

export type Config = z.infer<typeof configSchema>;
export type ConnectorConfig = z.infer<typeof connectorSchema>;
export type SourceConfig = ConnectorConfig['source'];
export type MappingConfig = ConnectorConfig['mapping'];
