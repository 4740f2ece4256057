/**
 * Connectors defined from the console: the wizard's input is validated here, its secrets go to
 * the encrypted secret store under names of their own, and the stored definition (which holds
 * no secret) is turned back into the same ConnectorConfig a config file gives, so both kinds
 * run through one pipeline. The sandbox tenant and the mapping CSV live in the data directory.
 */
import { existsSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { connectorSchema, type ConnectorConfig } from '../config/index.js';
import { ArchiverError } from '../core/errors.js';
import type { RuntimeSecrets } from '../pipeline/index.js';
import type { SecretBox } from '../security/index.js';
import { generateTenant } from '../sources/sandbox/index.js';
import { ensurePrivateDir, type Db } from '../store/index.js';
import { syncDir } from '../store/blobs/local.js';
import { MAPPING_CSV_MAX_CHARS } from '../mapping/index.js';
import type { ConnectorInput, DestinationInput, SecretsInput, SecretStatus } from './types.js';
import { destinationIdentity, readDestinationSecret, readSourceSecrets, sourceIdentity } from './secret-bindings.js';
import { secretName, type StoredDefinition } from './secret-names.js';

/** The version of the terms and data-processing notice the wizard shows (texts in the console catalogue). */
export const TERMS_VERSION = '1';

const destinationInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('archive') }),
  z.object({
    kind: z.literal('imap'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535).optional(),
    secure: z.boolean(),
    authKind: z.enum(['master', 'password']),
    masterUser: z.string().min(1).optional(),
    checkMailbox: z.string().min(3),
    folder: z.string().min(1).optional(),
    ca: z.string().includes('-----BEGIN CERTIFICATE-----').max(100_000).optional(),
  }),
  z.object({
    kind: z.literal('graph'),
    tenantId: z.string().min(1),
    clientId: z.string().min(1),
    cloud: z.enum(['worldwide', 'gcc', 'gcc-high', 'dod', 'china']).optional(),
    folder: z.string().min(1).optional(),
    maxMessageBytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .max(150 * 1024 * 1024)
      .optional(),
  }),
  z.object({ kind: z.literal('gmail'), label: z.string().min(1).optional() }),
]);

export const connectorInputSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes, at most 63'),
  name: z.string().min(1).max(200),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('sandbox'), messages: z.number().int().min(10).max(100_000).optional() }),
    z.object({
      kind: z.literal('wecom'),
      corpId: z.string().min(1),
      sdkLibrary: z.string().min(1),
      proxy: z.string().optional(),
    }),
  ]),
  mapping: z.object({
    autoFromDirectoryEmail: z.boolean(),
    addressTemplate: z.string().min(1).optional(),
    catchAll: z.string().min(3).optional(),
    csv: z.string().max(MAPPING_CSV_MAX_CHARS).optional(),
    csvFileName: z.string().max(255).optional(),
  }),
  destinations: z.array(destinationInput).min(1).max(8),
  schedule: z.object({ intervalSeconds: z.number().int().min(1).max(86_400) }),
});

export const secretsInputSchema = z.object({
  archiveSecret: z.string().min(1).optional(),
  proxyPassword: z.string().min(1).optional(),
  privateKeys: z
    .array(z.object({ version: z.number().int().min(0), pem: z.string().includes('PRIVATE KEY-----') }))
    .optional(),
  destinations: z.record(z.string().regex(/^\d+$/), z.string().min(1)).optional(),
});

export const createConnectorSchema = connectorInputSchema.extend({
  termsAccepted: z.string(),
  secrets: secretsInputSchema.optional(),
});

export { secretName, type StoredDefinition } from './secret-names.js';

export interface Paths {
  dataDir: string;
}

export const sandboxDir = (p: Paths, id: string) => join(p.dataDir, 'sandbox', id);
export const mappingFile = (p: Paths, id: string) => join(p.dataDir, 'mappings', `${id}.csv`);
export const keysDir = (p: Paths, id: string) => join(p.dataDir, 'keys', id);

/**
 * Stores the secrets given (omitted ones are kept), each bound to the settings of `def` it is
 * used with, and returns the key versions now set.
 */
export async function storeSecrets(
  db: Db,
  box: SecretBox,
  def: ConnectorInput,
  secrets: SecretsInput | undefined,
  previousVersions: number[],
  actor: string,
  now: number,
): Promise<number[]> {
  const id = def.id;
  const versions = new Set(previousVersions);
  if (!secrets) return [...versions];
  const none = { kind: 'none' };
  const source = (which: 'archive' | 'proxy' | 'key') => sourceIdentity(def.source, which) ?? none;
  if (secrets.archiveSecret) {
    await box.put(db, secretName.archive(id), secrets.archiveSecret, actor, now, source('archive'));
  }
  if (secrets.proxyPassword) {
    await box.put(db, secretName.proxy(id), secrets.proxyPassword, actor, now, source('proxy'));
  }
  for (const k of secrets.privateKeys ?? []) {
    await box.put(db, secretName.key(id, k.version), k.pem, actor, now, source('key'));
    versions.add(k.version);
  }
  for (const [index, value] of Object.entries(secrets.destinations ?? {})) {
    const d = def.destinations[Number(index)];
    const identity = (d && destinationIdentity(d)) ?? none;
    await box.put(db, secretName.destination(id, Number(index)), value, actor, now, identity);
  }
  return [...versions].sort((a, b) => a - b);
}

/** Which secrets a definition needs and whether each is set: shown by the console, never the values. */
export async function secretStatus(db: Db, box: SecretBox, def: StoredDefinition): Promise<SecretStatus> {
  const names: Record<string, string> = {};
  if (def.source.kind === 'wecom') {
    names.archiveSecret = secretName.archive(def.id);
    if (def.source.proxy) names.proxyPassword = secretName.proxy(def.id);
    for (const v of def.keyVersions) names[`privateKeys.${v}`] = secretName.key(def.id, v);
  }
  def.destinations.forEach((d, i) => {
    if (d.kind !== 'archive') names[`destinations.${i}`] = secretName.destination(def.id, i);
  });
  const status = await box.status(db, Object.values(names));
  return Object.fromEntries(Object.entries(names).map(([k, n]) => [k, status[n] ?? 'unset']));
}

/** Writes the uploaded mapping CSV durably (temp, fsync, rename, directory fsync). */
export async function writeMappingCsv(p: Paths, id: string, text: string): Promise<string> {
  const file = mappingFile(p, id);
  const dir = join(p.dataDir, 'mappings');
  await ensurePrivateDir(dir);
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncDir(dir);
  return file;
}

/** Creates the demo tenant of a sandbox connector when it does not exist yet. */
export async function ensureSandbox(p: Paths, def: ConnectorInput): Promise<void> {
  if (def.source.kind !== 'sandbox') return;
  const dir = sandboxDir(p, def.id);
  if (existsSync(join(dir, 'tenant.json'))) return;
  await generateTenant({ outDir: dir, seed: 7, messages: def.source.messages ?? 400 });
}

/**
 * The runnable configuration of a stored definition, with its secrets read from the store.
 * Secrets end up only in memory (in the returned config and RuntimeSecrets).
 */
export async function materialize(
  p: Paths,
  db: Db,
  box: SecretBox,
  def: StoredDefinition,
): Promise<{ config: ConnectorConfig; secrets: RuntimeSecrets }> {
  const secrets: RuntimeSecrets = {};
  let source: unknown;
  if (def.source.kind === 'sandbox') {
    source = { kind: 'sandbox', dir: sandboxDir(p, def.id) };
  } else {
    const dir = keysDir(p, def.id);
    await ensurePrivateDir(dir);
    Object.assign(secrets, await sourceSecrets(db, box, def));
    source = {
      kind: 'wecom',
      corpId: def.source.corpId,
      sdkLibrary: def.source.sdkLibrary,
      keysDir: dir,
      proxy: def.source.proxy ?? '',
      secretEnv: 'WXA_CONSOLE_SECRET_UNUSED',
    };
  }
  const destinations: unknown[] = [];
  for (const [i, d] of def.destinations.entries()) {
    const secret =
      d.kind === 'archive' ? undefined : await readDestinationSecret(db, box, def, i, d, `destinations.${i}`);
    destinations.push(destinationConfig(def.id, i, d, secret ?? ''));
  }
  const csv = existsSync(mappingFile(p, def.id)) ? mappingFile(p, def.id) : undefined;
  const raw = {
    id: def.id,
    name: def.name,
    source,
    mapping: {
      autoFromDirectoryEmail: def.mapping.autoFromDirectoryEmail,
      ...(def.mapping.addressTemplate ? { addressTemplate: def.mapping.addressTemplate } : {}),
      ...(def.mapping.catchAll ? { catchAll: def.mapping.catchAll } : {}),
      ...(csv ? { csv } : {}),
    },
    destinations,
    schedule: def.schedule,
  };
  const parsed = connectorSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ArchiverError(
      'WXA_CONFIG_INVALID',
      `connector ${def.id}: ${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}; edit the connector`,
    );
  }
  return { config: parsed.data, secrets };
}

/** A WeCom connector's archive secret, proxy password and private keys, read from the store. */
export function sourceSecrets(db: Db, box: SecretBox, def: StoredDefinition): Promise<RuntimeSecrets> {
  return readSourceSecrets(db, box, def, def.source);
}

/** The config-file shape of one destination of the wizard, with its secret put in place. */
export function destinationConfig(id: string, index: number, d: DestinationInput, secret: string): unknown {
  // Ids stay stable per position: they key the delivery ledger.
  const destId = d.kind === 'archive' ? 'archive' : `${d.kind}-${index}`;
  switch (d.kind) {
    case 'archive':
      return { kind: 'archive' };
    case 'imap':
      return {
        kind: 'imap',
        id: destId,
        host: d.host,
        ...(d.port ? { port: d.port } : {}),
        secure: d.secure,
        checkMailbox: d.checkMailbox,
        ...(d.folder ? { folder: d.folder } : {}),
        // Certificates are always verified; a private CA is added to the trusted ones, never a bypass.
        ...(d.ca ? { tls: { rejectUnauthorized: true, ca: d.ca } } : {}),
        auth:
          d.authKind === 'master'
            ? { kind: 'master', masterUser: d.masterUser ?? '', password: secret || 'unset' }
            : { kind: 'password', password: secret || 'unset' },
      };
    case 'graph':
      return {
        kind: 'graph',
        id: destId,
        tenantId: d.tenantId,
        clientId: d.clientId,
        ...(d.cloud ? { cloud: d.cloud } : {}),
        ...(d.folder ? { folder: d.folder } : {}),
        ...(d.maxMessageBytes ? { maxMessageBytes: d.maxMessageBytes } : {}),
        auth: { kind: 'secret', secret: secret || 'unset' },
      };
    case 'gmail': {
      let key: { client_email?: string; private_key?: string; private_key_id?: string; token_uri?: string } = {};
      try {
        key = secret ? (JSON.parse(secret) as typeof key) : {};
      } catch {
        throw new ArchiverError(
          'WXA_CONFIG_INVALID',
          `connector ${id}: destination ${index}: the Gmail service-account key is not JSON; paste the key file as downloaded`,
        );
      }
      return {
        kind: 'gmail',
        id: destId,
        ...(d.label ? { label: d.label } : {}),
        serviceAccount: {
          client_email: key.client_email ?? 'unset@invalid.example',
          private_key: key.private_key ?? '-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----',
          ...(key.private_key_id ? { private_key_id: key.private_key_id } : {}),
          // The key file names its token endpoint; being inside the secret, it cannot be changed apart from it.
          ...(key.token_uri ? { token_uri: key.token_uri } : {}),
        },
      };
    }
  }
}
