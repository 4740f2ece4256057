/**
 * Builds a connector's runtime from its configuration: the source client, the directory, the
 * people -> mailbox resolver (CSV first, then rules) and the decryptor. Rebuilt at each run so
 * that a new key, a new mapping file or a directory change applies without a restart.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { ConnectorConfig } from '../config/index.js';
import { ArchiverError } from '../core/errors.js';
import { formatProblem, parseMappingCsv, type MappingProblem, type MappingRow } from '../mapping/index.js';
import { openSandbox } from '../sources/sandbox/index.js';
import type { FinanceClient } from '../sources/wecom/client.js';
import { createSdkClient } from '../sources/wecom/sdk-host/index.js';
import type { DirectorySnapshot } from '../core/directory.js';
import { listMappingOverrides, loadDirectory, uploadSessionStore, type Db, type UrlSeal } from '../store/index.js';
import {
  inlinePreparer,
  loadKeyRing,
  poolPreparer,
  type PrepareSetup,
  type Preparer,
  type RemoteDecrypt,
} from './decrypt.js';
import { buildLookups } from './prepare.js';
import { buildDestinations } from '../destinations/index.js';
import type { ConnectorRuntime } from './process.js';
import type { Logger } from '../core/logger.js';

export interface BuiltConnector {
  runtime: ConnectorRuntime;
  /** problems in the mapping CSV: the rows are skipped, the rest is used */
  mappingProblems: string[];
  /** changes when the mapping inputs change, so held items can be re-evaluated */
  mappingFingerprint: string;
  /** key versions configured now, so records held for a missing key can be released */
  keyVersions: number[];
  /** where the connector's private keys are */
  keysDir: string;
  /** keys from the secret store, besides those in keysDir */
  keys?: { version: number; pem: string }[];
  close(): Promise<void>;
}

/**
 * Secrets of a connector defined from the console, read from the encrypted secret store by the
 * caller; they take the place of the environment variables a config-file connector names.
 */
export interface RuntimeSecrets {
  archiveSecret?: string;
  proxyPassword?: string;
  privateKeys?: { version: number; pem: string }[];
}

export async function buildConnector(
  cfg: ConnectorConfig,
  opts: {
    workers: number;
    db?: Db;
    secrets?: RuntimeSecrets;
    seal?: UrlSeal;
    logger?: Logger;
    /** keep the prepare threads for the next run of this connector (serve) */
    sharedPool?: boolean;
  },
): Promise<BuiltConnector> {
  const source = await openSource(cfg, opts.db, opts.secrets ?? {}, opts.logger);
  const { client, directory } = source;
  const fp = createHash('sha256');
  // Rows added from the console's problems page come first: the resolver's first row wins.
  const overrides = opts.db ? await listMappingOverrides(opts.db, cfg.id) : [];
  fp.update(JSON.stringify(overrides.map((o) => [o.personId, o.mailbox])));
  let csvRows: MappingRow[] = overrides.map((o) => ({
    line: 0,
    userid: o.personId,
    externalId: o.personId,
    mailbox: o.mailbox,
  }));
  const mappingProblems: string[] = [];
  if (cfg.mapping.csv) {
    let text: Buffer;
    try {
      text = await readFile(cfg.mapping.csv);
    } catch (err) {
      throw new ArchiverError(
        'WXA_CONFIG_NOT_FOUND',
        `mapping file ${cfg.mapping.csv} cannot be read; check the path`,
        {
          cause: err,
        },
      );
    }
    fp.update(text);
    const parsed = parseMappingCsv(text, cfg.mapping.csv);
    csvRows = [...csvRows, ...parsed.rows];
    mappingProblems.push(...parsed.problems.map((p: MappingProblem) => formatProblem(cfg.mapping.csv ?? '', p)));
  }
  fp.update(JSON.stringify({ ...cfg.mapping, csv: undefined }));
  fp.update(JSON.stringify(directory.people.map((p) => [p.id, p.email ?? '', p.mobile ?? ''])));
  const setup: PrepareSetup = {
    corpId: source.corpId,
    connectorId: cfg.id,
    keysDir: source.keysDir,
    ...(opts.secrets?.privateKeys?.length ? { keys: opts.secrets.privateKeys } : {}),
    decryptData: source.remoteDecrypt ? 'remote' : 'sandbox',
    directory,
    mapping: {
      csvRows,
      autoFromDirectoryEmail: cfg.mapping.autoFromDirectoryEmail,
      ...(cfg.mapping.addressTemplate ? { addressTemplate: cfg.mapping.addressTemplate } : {}),
      ...(cfg.mapping.catchAll ? { catchAll: cfg.mapping.catchAll } : {}),
    },
  };
  const db = opts.db;
  // Graph upload sessions outlive a restart in the store, keyed by destination as well.
  const destinations = buildDestinations(cfg.destinations, {
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(db
      ? {
          uploadSessions: (id) => {
            const s = uploadSessionStore(db, opts.seal ? { seal: opts.seal } : {});
            const k = (key: string) => `${cfg.id}/${id}/${key}`;
            return {
              get: (key) => s.get(k(key)),
              put: (key, v) => s.put(k(key), v),
              delete: (key) => s.delete(k(key)),
            };
          },
        }
      : {}),
  });
  const remote = source.remoteDecrypt;
  const pooling = { ...(opts.sharedPool ? { slot: cfg.id } : {}), ...(opts.logger ? { logger: opts.logger } : {}) };
  const preparer: Preparer =
    opts.workers > 0 ? await poolPreparer(setup, opts.workers, remote, pooling) : await inlinePreparer(setup, remote);
  return {
    runtime: {
      id: cfg.id,
      corpId: source.corpId,
      client,
      directory,
      preparer,
      lookups: buildLookups(directory, setup.mapping),
      destinations,
    },
    mappingProblems,
    mappingFingerprint: fp.digest('hex'),
    keyVersions: (await loadKeyRing(setup.keysDir, setup.keys)).versions(),
    keysDir: setup.keysDir,
    ...(setup.keys ? { keys: setup.keys } : {}),
    close: async () => {
      await preparer.close();
      await Promise.all(destinations.map((d) => d.destination.close()));
      await client.close();
    },
  };
}

interface OpenedSource {
  client: FinanceClient;
  corpId: string;
  keysDir: string;
  directory: DirectorySnapshot;
  /** set for the vendor library: DecryptData runs in its host process, reached from this thread */
  remoteDecrypt?: RemoteDecrypt;
}

async function openSource(
  cfg: ConnectorConfig,
  db: Db | undefined,
  secrets: RuntimeSecrets,
  logger: Logger | undefined,
): Promise<OpenedSource> {
  if (cfg.source.kind === 'sandbox') {
    const client = await openSandbox(cfg.source.dir);
    return { client, corpId: client.corpId, keysDir: client.keysDir, directory: client.directory() };
  }
  const src = cfg.source;
  const secret = secrets.archiveSecret ?? process.env[src.secretEnv];
  if (!secret) {
    throw new ArchiverError(
      'WXA_CONFIG_INVALID',
      `connector ${cfg.id}: the archive secret is read from $${src.secretEnv}, which is not set; export it (the 会话内容存档 Secret from the WeCom admin console)`,
    );
  }
  const passwd = secrets.proxyPassword ?? (src.proxyPasswordEnv ? process.env[src.proxyPasswordEnv] : undefined);
  const client = createSdkClient({
    libraryPath: src.sdkLibrary,
    corpId: src.corpId,
    secret,
    proxy: src.proxy,
    ...(passwd ? { passwd } : {}),
    timeoutMs: src.timeoutSeconds * 1000,
    ...(logger ? { logger: logger.child({ component: 'sdk-host' }) } : {}),
  });
  // The directory comes from the cache the directory client keeps filled; ids alone still map
  // through the CSV and the address template.
  const directory = db ? await loadDirectory(db, cfg.id) : { corpId: src.corpId, corpName: '', people: [], rooms: [] };
  return {
    client,
    corpId: src.corpId,
    keysDir: src.keysDir,
    directory: { ...directory, corpId: src.corpId },
    remoteDecrypt: (key, msg) => client.decryptData(key, msg),
  };
}
