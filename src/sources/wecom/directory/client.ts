/**
 * The WeCom directory client: who the people and rooms of an archived conversation are, and
 * which external contacts agreed to archiving. The archive APIs (msgaudit/*) take the archive
 * secret; user/get and externalcontact/* need an app allowed to read contacts or customers,
 * so each may have its own secret and falls back to the archive secret when none is given.
 */
import { ArchiverError } from '../../../core/errors.js';
import type { RetryLogger } from './http.js';
import { createApiCaller } from './http.js';
import { createRateLimiter } from './rate-limit.js';
import type {
  CustomerGroup,
  DirectoryUser,
  ExternalContact,
  InternalGroup,
  RobotInfo,
  RoomAgree,
  SingleAgree,
} from './replies.js';
import {
  readCustomerGroup,
  readExternalContact,
  readInternalGroup,
  readPermitUsers,
  readRobot,
  readRoomAgree,
  readSingleAgree,
  readUser,
} from './replies.js';

export const DEFAULT_BASE_URL = 'https://qyapi.weixin.qq.com/cgi-bin/';

export interface DirectoryClientOptions {
  corpId: string;
  /** the archive secret: msgaudit/* calls */
  secret: string;
  /** secret of an app that may read the contact directory (user/get); defaults to `secret` */
  contactSecret?: string;
  /** secret of the customer-contact app (externalcontact/*); defaults to `secret` */
  externalSecret?: string;
  /** default https://qyapi.weixin.qq.com/cgi-bin/ */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** ms clock, for token expiry and the rate limit */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** calls per second over all APIs; default 10 (600 a minute, the lowest per-API limit of the archive APIs) */
  rateLimitPerSecond?: number;
  /** retries of a passing fault after the first attempt; default 3 (the vendor's advice for errcode -1) */
  maxRetries?: number;
  /** per HTTP request, ms; default 10000 */
  timeoutMs?: number;
  logger?: RetryLogger;
}

/** a one-to-one conversation whose consent to ask about */
export interface AgreePair {
  userid: string;
  externalId: string;
}

export interface DirectoryClient {
  readonly corpId: string;
  /** msgaudit/get_permit_user_list: userids with archiving on (type 1 office, 2 service, 3 enterprise edition) */
  permitUsers(type?: 1 | 2 | 3): Promise<string[]>;
  /** msgaudit/groupchat/get: an internal group (customer groups fail; see customerGroup) */
  groupChat(roomId: string): Promise<InternalGroup>;
  /** externalcontact/groupchat/get: a customer group, external members with names */
  customerGroup(chatId: string): Promise<CustomerGroup>;
  /** externalcontact/get */
  externalContact(externalUserId: string): Promise<ExternalContact>;
  /** user/get */
  user(userid: string): Promise<DirectoryUser>;
  /** msgaudit/get_robot_info */
  robot(robotId: string): Promise<RobotInfo>;
  /** msgaudit/check_single_agree */
  checkSingleAgree(pairs: AgreePair[]): Promise<SingleAgree[]>;
  /** msgaudit/check_room_agree */
  checkRoomAgree(roomId: string): Promise<RoomAgree[]>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function required(name: string, value: string | undefined): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ArchiverError('WXA_CONFIG_INVALID', `WeCom directory: ${name} is empty; set it from the admin console`);
  }
  return value;
}

export function createDirectoryClient(opts: DirectoryClientOptions): DirectoryClient {
  const corpId = required('corp id', opts.corpId);
  const archive = required('archive secret', opts.secret);
  const contact = opts.contactSecret ? opts.contactSecret : archive;
  const external = opts.externalSecret ? opts.externalSecret : archive;
  const now = opts.now ?? Date.now;
  const wait = opts.sleep ?? sleep;
  const api = createApiCaller({
    corpId,
    baseUrl: opts.baseUrl ?? DEFAULT_BASE_URL,
    fetch: opts.fetch ?? fetch,
    now,
    sleep: wait,
    random: opts.random ?? Math.random,
    limiter: createRateLimiter(opts.rateLimitPerSecond ?? 10, now, wait),
    maxRetries: opts.maxRetries ?? 3,
    timeoutMs: opts.timeoutMs ?? 10_000,
    logger: opts.logger,
  });

  return {
    corpId,
    async permitUsers(type) {
      const body = type === undefined ? {} : { type };
      const reply = await api.call({ api: 'msgaudit/get_permit_user_list', method: 'POST', secret: archive, body });
      return readPermitUsers(reply);
    },
    async groupChat(roomId) {
      const body = { roomid: roomId };
      const reply = await api.call({ api: 'msgaudit/groupchat/get', method: 'POST', secret: archive, body });
      return readInternalGroup(reply, roomId);
    },
    async customerGroup(chatId) {
      const body = { chat_id: chatId, need_name: 1 };
      const reply = await api.call({ api: 'externalcontact/groupchat/get', method: 'POST', secret: external, body });
      return readCustomerGroup(reply);
    },
    async externalContact(externalUserId) {
      const query = { external_userid: externalUserId };
      const reply = await api.call({ api: 'externalcontact/get', method: 'GET', secret: external, query });
      return readExternalContact(reply);
    },
    async user(userid) {
      const reply = await api.call({ api: 'user/get', method: 'GET', secret: contact, query: { userid } });
      return readUser(reply, userid);
    },
    async robot(robotId) {
      const query = { robot_id: robotId };
      const reply = await api.call({ api: 'msgaudit/get_robot_info', method: 'GET', secret: archive, query });
      return readRobot(reply, robotId);
    },
    async checkSingleAgree(pairs) {
      if (pairs.length === 0) return [];
      // `exteranalopenid` is the vendor's spelling of the field, typo included
      const body = { info: pairs.map((p) => ({ userid: p.userid, exteranalopenid: p.externalId })) };
      const reply = await api.call({ api: 'msgaudit/check_single_agree', method: 'POST', secret: archive, body });
      return readSingleAgree(reply);
    },
    async checkRoomAgree(roomId) {
      const body = { roomid: roomId };
      const reply = await api.call({ api: 'msgaudit/check_room_agree', method: 'POST', secret: archive, body });
      return readRoomAgree(reply);
    },
  };
}
