/**
 * Whether `migrate-store` starts a copy, continues one, or only checks a finished one again, and
 * the refusals: a destination holding another archive, or an unfinished copy whose snapshot is
 * gone. Decided from the destination's progress record and the archive's identity.
 */
import { join } from 'node:path';
import { ArchiverError } from '../../core/errors.js';
import type { Db } from '../../store/index.js';
import { redactUrl } from '../../store/dialect/postgres-url.js';
import {
  findSnapshot,
  openSnapshotReadOnly,
  readRun,
  sameSource,
  sourceIdentity,
  startRun,
  tablesInUse,
  takeSnapshot,
  type MigrationRun,
  type Snapshot,
  type TablePlan,
} from '../../store/migrate-store/index.js';
import type { MigrateOptions } from './migrate.js';

export interface Begun {
  /** absent for a finished copy, which is only verified again */
  snapshot?: Snapshot;
  run: MigrationRun;
  resumed: boolean;
}

/** Starts, resumes or re-verifies, or refuses a destination that is another archive's. */
export async function begin(
  dest: Db,
  plans: TablePlan[],
  from: string,
  workDir: string,
  opts: MigrateOptions,
): Promise<Begun> {
  const run = await readRun(dest);
  const existing = await findSnapshot(workDir);
  if (run) {
    const live = openSnapshotReadOnly(join(from, 'archive.db'));
    let identity;
    try {
      identity = sourceIdentity(live, from);
    } finally {
      live.close();
    }
    if (!sameSource(run.source, identity))
      throw new ArchiverError(
        'WXA_MIGRATE_DESTINATION_IN_USE',
        `${redactUrl(opts.to)} holds a copy of another archive (${run.source.dataDir}, started ${new Date(run.startedAt).toISOString()}); ` +
          'give an empty database (createdb NAME) for this one',
      );
    if (!opts.restart) {
      // A finished copy is verified again against the digests recorded when it finished.
      if (run.completedAt) return { run, resumed: false };
      if (existing && existing.id === run.snapshotId) return { snapshot: existing, run, resumed: true };
      throw new ArchiverError(
        'WXA_MIGRATE_SNAPSHOT_GONE',
        `the copy into ${redactUrl(opts.to)} in progress read snapshot ${run.snapshotId}, which is not in ${workDir} any more; ` +
          'run migrate-store again with --restart to empty the destination and copy from a new snapshot',
      );
    }
  } else {
    const inUse = await tablesInUse(dest, plans);
    if (inUse.length > 0)
      throw new ArchiverError(
        'WXA_MIGRATE_DESTINATION_IN_USE',
        `${redactUrl(opts.to)} already holds an archive (${inUse
          .slice(0, 5)
          .map((t) => `${t.rows} rows in ${t.table}`)
          .join(', ')}) and no copy of ${from} is in progress there; give an empty database (createdb NAME)`,
      );
  }
  opts.onProgress?.('taking a snapshot of the archive');
  const snapshot = await takeSnapshot(from, workDir, opts.now);
  const src = openSnapshotReadOnly(snapshot.file);
  let source;
  try {
    source = sourceIdentity(src, from);
  } finally {
    src.close();
  }
  const fresh = { source, snapshotId: snapshot.id, startedAt: (opts.now ?? Date.now)() };
  await startRun(dest, plans, fresh);
  return { snapshot, run: { ...fresh, completedAt: null, result: null }, resumed: false };
}
