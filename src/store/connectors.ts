/**
 * Connector rows and re-evaluation: a connector remembers the fingerprint of its mapping
 * inputs, and when that changes (or a key version is added) the records held for that cause
 * are put back to pending so that the next run processes them again.
 */
import type { Db } from './db.js';

export interface ConnectorState {
  mappingFingerprint?: string;
}

export async function upsertConnector(
  db: Db,
  c: { id: string; name: string; sourceKind: string },
  now: number,
): Promise<ConnectorState> {
  await db
    .insertInto('connectors')
    .values({ id: c.id, name: c.name, source_kind: c.sourceKind, config_json: '{}', created_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet({ name: c.name, source_kind: c.sourceKind }))
    .execute();
  const row = await db.selectFrom('connectors').select('config_json').where('id', '=', c.id).executeTakeFirstOrThrow();
  return JSON.parse(row.config_json) as ConnectorState;
}

export async function saveConnectorState(db: Db, id: string, state: ConnectorState): Promise<void> {
  await db
    .updateTable('connectors')
    .set({ config_json: JSON.stringify(state) })
    .where('id', '=', id)
    .execute();
}

export async function listConnectors(db: Db): Promise<{ id: string; name: string; sourceKind: string }[]> {
  const rows = await db.selectFrom('connectors').select(['id', 'name', 'source_kind']).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, sourceKind: r.source_kind }));
}

/** Puts records held as unmapped (wholly or for some participants) back to pending. */
export async function requeueUnmapped(db: Db, connectorId: string, now: number): Promise<number> {
  const res = await db
    .updateTable('raw_records')
    .set({ status: 'pending', updated_at: now })
    .where('connector_id', '=', connectorId)
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('holds')
        .select('raw_id')
        .where('connector_id', '=', connectorId)
        .where('reason', '=', 'unmapped')
        .where('released_at', 'is', null)
        .where('raw_id', 'is not', null)
        .$narrowType<{ raw_id: number }>(),
    )
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Puts records held for a missing key back to pending when that key version is now available. */
export async function requeueKeyMissing(db: Db, connectorId: string, versions: number[], now: number): Promise<number> {
  if (versions.length === 0) return 0;
  const res = await db
    .updateTable('raw_records')
    .set({ status: 'pending', updated_at: now })
    .where('connector_id', '=', connectorId)
    .where('status', '=', 'held')
    .where('hold_reason', '=', 'key-missing')
    .where('publickey_ver', 'in', versions)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Whether the archive has ever known a connector with this id (it ran at least once). */
export async function connectorKnown(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom('connectors').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}
