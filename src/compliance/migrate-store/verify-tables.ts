/**
 * Each copied table compared with what it was copied from: row count and row digest of the
 * destination against the snapshot's, or, for a copy verified again after its snapshot was
 * removed, against the digests recorded when the copy was first proven.
 */
import type SQLite from 'better-sqlite3';
import type { Db } from '../../store/index.js';
import { destinationDigest, sourceDigest, type MigrationRun, type TablePlan } from '../../store/migrate-store/index.js';

export interface TableReport {
  name: string;
  /** rows in the destination */
  rows: number;
  /** rows this run copied */
  copied: number;
  /** SHA-256 over the destination's rows in key order */
  sha256: string;
  /** rows and digest equal to the snapshot's (or to the recorded ones) */
  verified: boolean;
  /** when not verified: what the snapshot has */
  expected?: { rows: number; sha256: string };
}

export async function verifyTables(
  src: SQLite.Database | undefined,
  dest: Db,
  plans: TablePlan[],
  run: MigrationRun,
  copied: Map<string, number>,
): Promise<TableReport[]> {
  const out: TableReport[] = [];
  for (const plan of plans) {
    const got = await destinationDigest(dest, plan);
    const want = src ? sourceDigest(src, plan) : run.result?.[plan.name];
    const verified = want !== undefined && want.rows === got.rows && want.sha256 === got.sha256;
    out.push({
      name: plan.name,
      rows: got.rows,
      copied: copied.get(plan.name) ?? 0,
      sha256: got.sha256,
      verified,
      ...(verified ? {} : { expected: want ?? { rows: 0, sha256: 'not recorded' } }),
    });
  }
  return out;
}
