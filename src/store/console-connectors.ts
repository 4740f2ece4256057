/**
 * Connectors defined from the console and the mapping rows added there. A definition is the
 * wizard's input with every secret replaced by the name it has in the encrypted secret store;
 * the terms its creator accepted are kept beside it (who, when, which version).
 */
import type { Selectable } from 'kysely';
import type { Db } from './db.js';
import type { ConnectorDefinitionTable } from './schema.js';

export interface ConnectorDefinitionRow {
  id: string;
  /** the wizard's input without secrets (a JSON object) */
  definition: unknown;
  paused: boolean;
  termsVersion: string;
  termsAcceptedBy: string;
  termsAcceptedAt: number;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export async function listConnectorDefinitions(db: Db): Promise<ConnectorDefinitionRow[]> {
  const rows = await db.selectFrom('connector_definitions').selectAll().orderBy('id').execute();
  return rows.map(toRow);
}

export async function getConnectorDefinition(db: Db, id: string): Promise<ConnectorDefinitionRow | undefined> {
  const row = await db.selectFrom('connector_definitions').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export async function saveConnectorDefinition(
  db: Db,
  d: { id: string; definition: unknown; termsVersion: string; actor: string },
  now: number,
): Promise<void> {
  await db
    .insertInto('connector_definitions')
    .values({
      id: d.id,
      definition_json: JSON.stringify(d.definition),
      paused: 0,
      terms_version: d.termsVersion,
      terms_accepted_by: d.actor,
      terms_accepted_at: now,
      created_by: d.actor,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        definition_json: JSON.stringify(d.definition),
        terms_version: d.termsVersion,
        terms_accepted_by: d.actor,
        terms_accepted_at: now,
        updated_at: now,
      }),
    )
    .execute();
}

export async function setConnectorPaused(db: Db, id: string, paused: boolean, now: number): Promise<void> {
  await db
    .updateTable('connector_definitions')
    .set({ paused: paused ? 1 : 0, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export interface MappingOverride {
  personId: string;
  mailbox: string;
  createdBy: string;
  createdAt: number;
}

export async function listMappingOverrides(db: Db, connectorId: string): Promise<MappingOverride[]> {
  const rows = await db
    .selectFrom('mapping_overrides')
    .selectAll()
    .where('connector_id', '=', connectorId)
    .orderBy('created_at')
    .orderBy('person_id')
    .execute();
  return rows.map((r) => ({
    personId: r.person_id,
    mailbox: r.mailbox,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
  }));
}

export async function putMappingOverride(
  db: Db,
  connectorId: string,
  o: { personId: string; mailbox: string; actor: string },
  now: number,
): Promise<void> {
  await db
    .insertInto('mapping_overrides')
    .values({
      connector_id: connectorId,
      person_id: o.personId,
      mailbox: o.mailbox.toLowerCase(),
      created_by: o.actor,
      created_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['connector_id', 'person_id']).doUpdateSet({ mailbox: o.mailbox.toLowerCase(), created_by: o.actor }),
    )
    .execute();
}

function toRow(r: Selectable<ConnectorDefinitionTable>): ConnectorDefinitionRow {
  return {
    id: r.id,
    definition: JSON.parse(r.definition_json) as unknown,
    paused: r.paused === 1,
    termsVersion: r.terms_version,
    termsAcceptedBy: r.terms_accepted_by,
    termsAcceptedAt: Number(r.terms_accepted_at),
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
