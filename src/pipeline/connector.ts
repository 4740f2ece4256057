/**
 * Builds a connector's runtime from its configuration: the source (opened through the registry
 * the caller hands in), the directory, the people -> mailbox resolver (CSV first, then rules)
 * and the preparer. Rebuilt at each run so that a new key, a new mapping file or a directory
 * change applies without a restart.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { ConnectorConfig } from '../config/index.js';
import { ArchiverError } from '../core/errors.js';
import { formatProblem, parseMappingCsv, type MappingProblem, type MappingRow } from '../mapping/index.js';
import type { DirectoryRefresh, RuntimeSecrets, Source, SourceContext, SourceRegistry } from '../sources/types.js';
import { listMappingOverrides, uploadSessionStore, type Db, type UrlSeal } from '../store/index.js';
import { inlinePreparer, poolPreparer, type PrepareSetup, type Preparer } from './decrypt.js';
import { buildLookups } from './prepare.js';
import { buildDestinations, type DestinationDeps } from '../destinations/index.js';
import type { ConfiguredDestination } from './deliver.js';
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
  /** the directory lookups before the run (`refreshDirectoryAt` given, and a source with a directory API) */
  directoryRefresh?: DirectoryRefresh;
  close(): Promise<void>;
}

export type { RuntimeSecrets };

/** Opens a connector's source through the registry of the sources this build has. */
async function openSource(sources: SourceRegistry, cfg: ConnectorConfig, ctx: SourceContext): Promise<Source> {
  const open = sources[cfg.source.kind];
  if (!open) {
    throw new ArchiverError(
      'WXA_CONFIG_INVALID',
      `connector ${cfg.id}: no source of kind "${cfg.source.kind}" is available; check source.kind`,
    );
  }
  return open(cfg, ctx);
}

export interface BuildOptions {
  workers: number;
  /** the concrete sources, by kind */
  sources: SourceRegistry;
  db?: Db;
  secrets?: RuntimeSecrets;
  seal?: UrlSeal;
  logger?: Logger;
  /** keep the prepare threads for the next run of this connector (serve) */
  sharedPool?: boolean;
  /** look up unknown people in the source's directory first, at this time (a run does; a check does not) */
  refreshDirectoryAt?: number;
  /**
   * the connector's destinations, built by `connectorDestinations` and kept by the caller across
   * runs (their connection pools, folder caches and logins with them): used as they are and not
   * closed with the run
   */
  destinations?: ConfiguredDestination[];
}

/**
 * The connector's external destinations, each with its own connection pool. Graph upload
 * sessions outlive a restart in the store, keyed by connector and destination.
 */
export function connectorDestinations(
  cfg: ConnectorConfig,
  opts: Pick<BuildOptions, 'db' | 'seal' | 'logger'> & Pick<DestinationDeps, 'connectionSlots'>,
): ConfiguredDestination[] {
  const db = opts.db;
  return buildDestinations(cfg.destinations, {
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.connectionSlots ? { connectionSlots: opts.connectionSlots } : {}),
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
}

export async function buildConnector(cfg: ConnectorConfig, opts: BuildOptions): Promise<BuiltConnector> {
  const source = await openSource(opts.sources, cfg, {
    ...(opts.db ? { db: opts.db } : {}),
    secrets: opts.secrets ?? {},
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  try {
    return await buildAround(source, cfg, opts);
  } catch (err) {
    await source.close();
    throw err;
  }
}

async function buildAround(source: Source, cfg: ConnectorConfig, opts: BuildOptions): Promise<BuiltConnector> {
  const directoryRefresh =
    opts.refreshDirectoryAt !== undefined ? await source.refreshDirectory?.(opts.refreshDirectoryAt) : undefined;
  const directory = await source.directory();
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
    connectorId: cfg.id,
    normalizer: { module: source.prepare.module, setup: source.prepare.setup },
    directory,
    mapping: {
      csvRows,
      autoFromDirectoryEmail: cfg.mapping.autoFromDirectoryEmail,
      ...(cfg.mapping.addressTemplate ? { addressTemplate: cfg.mapping.addressTemplate } : {}),
      ...(cfg.mapping.catchAll ? { catchAll: cfg.mapping.catchAll } : {}),
    },
  };
  // Kept by the caller across runs (a worker process), or built for this run and closed with it.
  const destinations = opts.destinations ?? connectorDestinations(cfg, opts);
  const keyVersions = await source.keyVersions();
  const remote = source.prepare.answer;
  const pooling = { ...(opts.sharedPool ? { slot: cfg.id } : {}), ...(opts.logger ? { logger: opts.logger } : {}) };
  const preparer: Preparer =
    opts.workers > 0 ? await poolPreparer(setup, opts.workers, remote, pooling) : await inlinePreparer(setup, remote);
  return {
    runtime: {
      id: cfg.id,
      source,
      directory,
      preparer,
      lookups: buildLookups(directory, setup.mapping),
      destinations,
    },
    mappingProblems,
    mappingFingerprint: fp.digest('hex'),
    keyVersions,
    ...(directoryRefresh ? { directoryRefresh } : {}),
    close: async () => {
      await preparer.close();
      if (!opts.destinations) await Promise.all(destinations.map((d) => d.destination.close()));
      await source.close();
    },
  };
}
