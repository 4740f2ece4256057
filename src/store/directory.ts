/** The directory cache: people and rooms a source told us about, used to enrich and map. */
import type { DirectorySnapshot } from '../core/directory.js';
import { personKindOf, type Person, type PersonKind } from '../core/model.js';
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

/** Ids the archive met (senders, recipients, rooms) that the directory cache does not know yet. */
export async function unknownDirectoryIds(
  db: Db,
  connectorId: string,
  limit: number,
): Promise<{ users: string[]; externals: string[]; rooms: string[]; robots: string[] }> {
  const known = new Set(
    (await db.selectFrom('people').select('id').where('connector_id', '=', connectorId).execute()).map((r) => r.id),
  );
  const knownRooms = new Set(
    (await db.selectFrom('rooms').select('id').where('connector_id', '=', connectorId).execute()).map((r) => r.id),
  );
  const recent = await db
    .selectFrom('items')
    .select(['from_id', 'room_id', 'model_json'])
    .where('connector_id', '=', connectorId)
    .orderBy('msg_time', 'desc')
    .limit(limit * 4)
    .execute();
  const out = {
    users: new Set<string>(),
    externals: new Set<string>(),
    rooms: new Set<string>(),
    robots: new Set<string>(),
  };
  for (const r of recent) {
    const tolist = (JSON.parse(r.model_json) as { tolist?: string[] }).tolist ?? [];
    for (const id of [r.from_id, ...tolist]) {
      if (!id || known.has(id)) continue;
      const kind = personKindOf(id);
      (kind === 'external' ? out.externals : kind === 'robot' ? out.robots : out.users).add(id);
    }
    if (r.room_id && !knownRooms.has(r.room_id)) out.rooms.add(r.room_id);
  }
  const cap = (s: Set<string>) => [...s].slice(0, limit);
  return { users: cap(out.users), externals: cap(out.externals), rooms: cap(out.rooms), robots: cap(out.robots) };
}
