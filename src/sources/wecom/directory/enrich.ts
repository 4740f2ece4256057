/**
 * Builds a DirectorySnapshot for the participants an archive run met: names of employees,
 * external contacts and robots, and each room's name, kind and members. A lookup that fails
 * keeps its id (the message is archived anyway, under the bare id) and is listed as a
 * failure; only failures that doom every lookup (subscription expired, IP refused, secret
 * refused) stop the whole enrichment.
 */
import type { DirectorySnapshot, Room } from '../../../core/directory.js';
import { ArchiverError, isArchiverError } from '../../../core/errors.js';
import type { ErrorCode } from '../../../core/errors.js';
import type { Person } from '../../../core/model.js';
import { personKindOf } from '../../../core/model.js';
import type { DirectoryClient } from './client.js';
import { WecomApiError } from './wecom-errors.js';

export interface DirectoryIds {
  users: string[];
  externals: string[];
  rooms: string[];
  robots: string[];
}

export interface LookupFailure {
  id: string;
  what: 'user' | 'external' | 'robot' | 'room';
  code: ErrorCode;
  /** WeCom's errcode, when the service answered one */
  errcode?: number;
  message: string;
}

export interface EnrichedDirectory extends DirectorySnapshot {
  failures: LookupFailure[];
}

export interface EnrichOptions {
  /** the corp's own name, for employees and robots (no directory API here returns it) */
  corpName?: string;
  /** lookups in flight at once; default 4 (the client's rate limit paces them anyway) */
  concurrency?: number;
}

/** Failures that every further lookup would repeat: stop and tell the operator. */
function isFatal(err: unknown): boolean {
  if (!isArchiverError(err)) return false;
  if (err.code === 'WXA_SOURCE_SUBSCRIPTION' || err.code === 'WXA_SOURCE_FORBIDDEN') return true;
  // 48002 is about one API and its secret (e.g. no customer-contact secret configured): the
  // other lookups can still succeed, so it is recorded per id instead
  return err.code === 'WXA_SOURCE_AUTH' && !(err instanceof WecomApiError && err.errcode === 48002);
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let fatal: unknown;
  const worker = async (): Promise<void> => {
    while (fatal === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        fatal ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (fatal !== undefined) throw fatal;
}

const unique = (ids: string[]): string[] => [...new Set(ids.filter((id) => id !== ''))];

export async function enrichDirectory(
  client: DirectoryClient,
  ids: DirectoryIds,
  opts: EnrichOptions = {},
): Promise<EnrichedDirectory> {
  const corpName = opts.corpName ?? '';
  const failures: LookupFailure[] = [];
  const people = new Map<string, Person>();
  const rooms = new Map<string, Room>();
  // an API refused with 48002 is not asked again this run (lookups already in flight aside): it would refuse every id
  const refusedApis = new Map<string, WecomApiError>();

  const guarded = async <T>(api: string, call: () => Promise<T>): Promise<T> => {
    const refused = refusedApis.get(api);
    if (refused) throw refused;
    try {
      return await call();
    } catch (err) {
      if (err instanceof WecomApiError && err.errcode === 48002) refusedApis.set(api, err);
      throw err;
    }
  };

  const fail = (id: string, what: LookupFailure['what'], err: unknown): void => {
    if (isFatal(err)) throw err;
    const failure: LookupFailure = isArchiverError(err)
      ? { id, what, code: err.code, message: err.message }
      : { id, what, code: 'WXA_INTERNAL', message: err instanceof Error ? err.message : String(err) };
    if (err instanceof WecomApiError) failure.errcode = err.errcode;
    failures.push(failure);
  };

  const person = (p: Person): Person => {
    for (const k of ['name', 'mobile', 'email', 'corpName'] as const) if (!p[k]) delete p[k];
    return p;
  };

  type Task = { what: LookupFailure['what']; id: string };
  const tasks: Task[] = [
    ...unique(ids.users).map((id) => ({ what: 'user' as const, id })),
    ...unique(ids.externals).map((id) => ({ what: 'external' as const, id })),
    ...unique(ids.robots).map((id) => ({ what: 'robot' as const, id })),
    ...unique(ids.rooms).map((id) => ({ what: 'room' as const, id })),
  ];

  await pool(tasks, opts.concurrency ?? 4, async ({ what, id }) => {
    try {
      if (what === 'user') {
        const u = await guarded('user/get', () => client.user(id));
        const email = u.email ?? u.bizMail;
        people.set(id, person({ id, kind: 'internal', name: u.name, mobile: u.mobile, email, corpName }));
      } else if (what === 'external') {
        const c = await guarded('externalcontact/get', () => client.externalContact(id));
        people.set(id, person({ id, kind: 'external', name: c.name, corpName: c.corpFullName ?? c.corpName }));
      } else if (what === 'robot') {
        const r = await guarded('msgaudit/get_robot_info', () => client.robot(id));
        people.set(id, person({ id, kind: 'robot', name: r.name, corpName }));
      } else {
        rooms.set(id, await lookupRoom(id));
      }
    } catch (err) {
      // the kind of an unknown room is unknown too: 'internal' stands in, the failure says why
      if (what === 'room') rooms.set(id, { id, name: '', kind: 'internal', members: [] });
      else people.set(id, { id, kind: personKindOf(id) });
      fail(id, what, err);
    }
  });

  /** A roomid does not say which kind of group it is: ask the archive API, then the customer one. */
  async function lookupRoom(id: string): Promise<Room> {
    try {
      const g = await guarded('msgaudit/groupchat/get', () => client.groupChat(id));
      return { id, name: g.name, kind: 'internal', members: g.members.map((m) => m.id) };
    } catch (err) {
      if (isFatal(err) || !isArchiverError(err) || err.kind === 'transient') throw err;
      try {
        const g = await guarded('externalcontact/groupchat/get', () => client.customerGroup(id));
        return { id, name: g.name, kind: 'customer', members: g.members.map((m) => m.id) };
      } catch (second) {
        if (isFatal(second) || !isArchiverError(second)) throw second;
        const message = `room ${id} is neither an internal group (${err.message}) nor a customer group (${second.message})`;
        // keep the customer-group answer's errcode: it is the one that says what to fix
        throw second instanceof WecomApiError
          ? new WecomApiError(second.code, second.api, second.errcode, message, { cause: second })
          : new ArchiverError(second.code, message, { cause: second });
      }
    }
  }

  // in the order the ids were given, whatever order the lookups finished in
  return {
    corpId: client.corpId,
    corpName,
    people: unique([...ids.users, ...ids.externals, ...ids.robots]).flatMap((id) => people.get(id) ?? []),
    rooms: unique(ids.rooms).flatMap((id) => rooms.get(id) ?? []),
    failures: failures.sort((a, b) => a.what.localeCompare(b.what) || a.id.localeCompare(b.id)),
  };
}
