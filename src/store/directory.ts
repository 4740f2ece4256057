/** The directory cache: people and rooms a source told us about, used to enrich and map. */
import type { DirectorySnapshot } from '../core/directory.js';
import type { Person, PersonKind } from '../core/model.js';
import type { Db } from './db.js';

export async function saveDirectory(db: Db, connectorId: string, dir: DirectorySnapshot, now: number): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const p of dir.people) {
      const row = {
        kind: p.kind,
        name: p.name ?? null,
        mobile: p.mobile ?? null,
        email: p.email ?? null,
        corp_name: p.corpName ?? null,
        updated_at: now,
      };
      await tx
        .insertInto('people')
        .values({ connector_id: connectorId, id: p.id, ...row })
        .onConflict((oc) => oc.columns(['connector_id', 'id']).doUpdateSet(row))
        .execute();
    }
    for (const r of dir.rooms) {
      const row = { name: r.name, kind: r.kind, members_json: JSON.stringify(r.members), updated_at: now };
      await tx
        .insertInto('rooms')
        .values({ connector_id: connectorId, id: r.id, ...row })
        .onConflict((oc) => oc.columns(['connector_id', 'id']).doUpdateSet(row))
        .execute();
    }
  });
}

export async function loadDirectory(db: Db, connectorId: string): Promise<DirectorySnapshot> {
  const people = await db.selectFrom('people').selectAll().where('connector_id', '=', connectorId).execute();
  const rooms = await db.selectFrom('rooms').selectAll().where('connector_id', '=', connectorId).execute();
  return {
    corpId: connectorId,
    corpName: '',
    people: people.map((p): Person => ({
      id: p.id,
      kind: p.kind as PersonKind,
      ...(p.name !== null && { name: p.name }),
      ...(p.mobile !== null && { mobile: p.mobile }),
      ...(p.email !== null && { email: p.email }),
      ...(p.corp_name !== null && { corpName: p.corp_name }),
    })),
    rooms: rooms.map((r) => ({
      id: r.id,
      name: r.name,
      kind: r.kind as 'internal' | 'customer',
      members: JSON.parse(r.members_json) as string[],
    })),
  };
}
