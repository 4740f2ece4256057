/**
 * A complete run of one configured connector: build its runtime, re-evaluate what was held for
 * causes that have since been fixed (a new mapping, a new key version), run, close.
 */
import type { ConnectorConfig } from '../config/index.js';
import { describeError } from '../core/errors.js';
import {
  requeueKeyMissing,
  requeueUnmapped,
  saveConnectorState,
  upsertConnector,
  type ConnectorState,
  type Db,
  type Store,
  type UrlSeal,
} from '../store/index.js';
import type { DirectoryRefresh, SourceRegistry } from '../sources/types.js';
import { buildConnector, type BuiltConnector, type RuntimeSecrets } from './connector.js';
import { runOnce, type RunOptions, type RunReport } from './run.js';
import type { Logger } from '../core/logger.js';

export interface ConnectorRunReport extends RunReport {
  /** records put back to pending because their hold's cause was fixed */
  released: { unmapped: number; keyMissing: number };
  mappingProblems: string[];
  /** the directory lookups before the run (WeCom source with a directory configured) */
  directory?: DirectoryRefresh;
}

/**
 * Records the connector and puts back to pending what was held for a cause since fixed: records
 * held unmapped when the mapping changed, records held for a missing key a key version now covers.
 * Returns the connector's saved state (the caller saves the new mapping fingerprint after its run).
 */
export async function releaseFixedHolds(
  db: Db,
  cfg: ConnectorConfig,
  built: Pick<BuiltConnector, 'mappingFingerprint' | 'keyVersions'>,
  now: number,
): Promise<{ state: ConnectorState; released: { unmapped: number; keyMissing: number } }> {
  const state = await upsertConnector(db, { id: cfg.id, name: cfg.name ?? cfg.id, sourceKind: cfg.source.kind }, now);
  const released = { unmapped: 0, keyMissing: 0 };
  if (state.mappingFingerprint !== undefined && state.mappingFingerprint !== built.mappingFingerprint) {
    released.unmapped = await requeueUnmapped(db, cfg.id, now);
  }
  released.keyMissing = await requeueKeyMissing(db, cfg.id, built.keyVersions, now);
  return { state, released };
}

export async function runConnector(
  store: Store,
  cfg: ConnectorConfig,
  opts: RunOptions & {
    workers: number;
    /** the concrete sources, by kind */
    sources: SourceRegistry;
    secrets?: RuntimeSecrets;
    /** seals credentials the run keeps in the database (Graph upload session URLs) */
    seal?: UrlSeal;
    logger?: Logger;
    sharedPool?: boolean;
  },
): Promise<ConnectorRunReport> {
  const built = await buildConnector(cfg, {
    workers: opts.workers,
    sources: opts.sources,
    db: store.db,
    refreshDirectoryAt: (opts.now ?? Date.now)(),
    ...(opts.secrets ? { secrets: opts.secrets } : {}),
    ...(opts.seal ? { seal: opts.seal } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.sharedPool ? { sharedPool: true } : {}),
  });
  try {
    const { state, released } = await releaseFixedHolds(store.db, cfg, built, (opts.now ?? Date.now)());
    const report = await runOnce(store, built.runtime, opts);
    try {
      await saveConnectorState(store.db, cfg.id, { ...state, mappingFingerprint: built.mappingFingerprint });
    } catch (err) {
      // Not saving the fingerprint only means held records are re-evaluated once more next run.
      report.status = 'failed';
      report.outcome = 'failed';
      report.error = `${report.error ?? 'the run'}; the connector state could not be saved: ${describeError(err)}`;
    }
    const directory = built.directoryRefresh;
    return { ...report, released, mappingProblems: built.mappingProblems, ...(directory ? { directory } : {}) };
  } finally {
    await built.close();
  }
}
