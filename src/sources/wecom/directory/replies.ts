/**
 * The directory APIs' answers read into our own shapes: camelCase, times in ms (WeCom sends
 * seconds), optional fields left out rather than empty. Answers are outside input, so each
 * reader checks the fields it relies on and fails with a typed error naming the API.
 */
import { ArchiverError } from '../../../core/errors.js';

/** consent of an external contact to having conversations archived */
export type AgreeStatus = 'Agree' | 'Disagree' | 'Default_Agree';

/** msgaudit/groupchat/get: an internal group */
export interface InternalGroup {
  roomId: string;
  name: string;
  creator?: string;
  /** ms UTC */
  createdAt?: number;
  notice?: string;
  members: { id: string; joinedAt?: number }[];
}

/** externalcontact/groupchat/get: a customer group */
export interface CustomerGroup {
  chatId: string;
  name: string;
  owner?: string;
  createdAt?: number;
  notice?: string;
  members: {
    id: string;
    kind: 'internal' | 'external';
    joinedAt?: number;
    /** an external member's name (asked for with need_name) */
    name?: string;
    groupNickname?: string;
    unionid?: string;
  }[];
  admins: string[];
}

/** externalcontact/get */
export interface ExternalContact {
  id: string;
  name: string;
  /** WeChat user (1) or WeCom user of another corp (2) */
  type: 'wechat' | 'wecom' | 'unknown';
  corpName?: string;
  corpFullName?: string;
  position?: string;
  unionid?: string;
  /** employees who have this contact */
  followUsers: string[];
}

/** user/get. Mobile and e-mail only reach the contacts-sync app since 2022, so both are optional. */
export interface DirectoryUser {
  id: string;
  name: string;
  departments: number[];
  position?: string;
  mobile?: string;
  email?: string;
  bizMail?: string;
}

/** msgaudit/get_robot_info */
export interface RobotInfo {
  id: string;
  name: string;
  creator?: string;
}

/** msgaudit/check_single_agree, one pair */
export interface SingleAgree {
  userid: string;
  externalId: string;
  status: AgreeStatus;
  changedAt?: number;
}

/** msgaudit/check_room_agree, one external member */
export interface RoomAgree {
  externalId: string;
  status: AgreeStatus;
  changedAt?: number;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const seconds = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? v * 1000 : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function malformed(api: string, what: string): never {
  throw new ArchiverError('WXA_SOURCE_FAILED', `WeCom ${api} answered without ${what}`);
}

/** Drops undefined members, so optional fields are absent rather than present-but-undefined. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export function readPermitUsers(reply: Obj): string[] {
  return list(reply.ids).filter((id): id is string => typeof id === 'string' && id !== '');
}

export function readInternalGroup(reply: Obj, roomId: string): InternalGroup {
  return compact({
    roomId,
    name: text(reply.roomname) ?? '',
    creator: text(reply.creator),
    createdAt: seconds(reply.room_create_time),
    notice: text(reply.notice),
    members: list(reply.members)
      .filter(isObj)
      .flatMap((m) => {
        const id = text(m.memberid);
        return id ? [compact({ id, joinedAt: seconds(m.jointime) })] : [];
      }),
  });
}

export function readCustomerGroup(reply: Obj): CustomerGroup {
  const g = reply.group_chat;
  if (!isObj(g)) malformed('externalcontact/groupchat/get', 'group_chat');
  const chatId = text(g.chat_id) ?? malformed('externalcontact/groupchat/get', 'group_chat.chat_id');
  return compact({
    chatId,
    name: text(g.name) ?? '',
    owner: text(g.owner),
    createdAt: seconds(g.create_time),
    notice: text(g.notice),
    members: list(g.member_list)
      .filter(isObj)
      .flatMap((m) => {
        const id = text(m.userid);
        if (!id) return [];
        return [
          compact({
            id,
            // type 1 is an employee, 2 an external contact
            kind: m.type === 2 ? ('external' as const) : ('internal' as const),
            joinedAt: seconds(m.join_time),
            name: text(m.name),
            groupNickname: text(m.group_nickname),
            unionid: text(m.unionid),
          }),
        ];
      }),
    admins: list(g.admin_list).flatMap((a) => (isObj(a) && text(a.userid) ? [a.userid as string] : [])),
  });
}

export function readExternalContact(reply: Obj): ExternalContact {
  const c = reply.external_contact;
  if (!isObj(c)) malformed('externalcontact/get', 'external_contact');
  const id = text(c.external_userid) ?? malformed('externalcontact/get', 'external_contact.external_userid');
  return compact({
    id,
    name: text(c.name) ?? '',
    type: c.type === 1 ? ('wechat' as const) : c.type === 2 ? ('wecom' as const) : ('unknown' as const),
    corpName: text(c.corp_name),
    corpFullName: text(c.corp_full_name),
    position: text(c.position),
    unionid: text(c.unionid),
    followUsers: list(reply.follow_user).flatMap((f) => (isObj(f) && text(f.userid) ? [f.userid as string] : [])),
  });
}

export function readUser(reply: Obj, userid: string): DirectoryUser {
  return compact({
    id: text(reply.userid) ?? userid,
    name: text(reply.name) ?? '',
    departments: list(reply.department).filter((d): d is number => typeof d === 'number'),
    position: text(reply.position),
    mobile: text(reply.mobile),
    email: text(reply.email),
    bizMail: text(reply.biz_mail),
  });
}

export function readRobot(reply: Obj, robotId: string): RobotInfo {
  const d = reply.data;
  if (!isObj(d)) malformed('msgaudit/get_robot_info', 'data');
  return compact({ id: text(d.robot_id) ?? robotId, name: text(d.name) ?? '', creator: text(d.creator_userid) });
}

function agreeStatus(api: string, v: unknown): AgreeStatus {
  if (v === 'Agree' || v === 'Disagree' || v === 'Default_Agree') return v;
  return malformed(api, `a known agree_status (got ${JSON.stringify(v)})`);
}

export function readSingleAgree(reply: Obj): SingleAgree[] {
  const api = 'msgaudit/check_single_agree';
  return list(reply.agreeinfo)
    .filter(isObj)
    .map((a) =>
      compact({
        userid: text(a.userid) ?? malformed(api, 'agreeinfo[].userid'),
        // the vendor's spelling
        externalId: text(a.exteranalopenid) ?? malformed(api, 'agreeinfo[].exteranalopenid'),
        status: agreeStatus(api, a.agree_status),
        changedAt: seconds(a.status_change_time),
      }),
    );
}

export function readRoomAgree(reply: Obj): RoomAgree[] {
  const api = 'msgaudit/check_room_agree';
  return list(reply.agreeinfo)
    .filter(isObj)
    .map((a) =>
      compact({
        externalId: text(a.exteranalopenid) ?? malformed(api, 'agreeinfo[].exteranalopenid'),
        status: agreeStatus(api, a.agree_status),
        changedAt: seconds(a.status_change_time),
      }),
    );
}
