/**
 * The sandbox corp's people and rooms: a bank with employees, external contacts from client
 * firms, robots, internal groups and customer groups. Shaped as the directory APIs answer, so
 * the resolve and map stages can be exercised without Tencent's servers.
 */
import type { DirectorySnapshot, Room } from '../../core/directory.js';
import type { Person } from '../../core/model.js';
import { Prng } from './prng.js';

export const CORP_NAME = '示例银行 Example Bank';
export const CORP_DOMAIN = 'example-bank.cn';

const SURNAMES: readonly (readonly [string, string])[] = [
  ['张', 'Zhang'], ['王', 'Wang'], ['李', 'Li'], ['刘', 'Liu'], ['陈', 'Chen'], ['杨', 'Yang'],
  ['赵', 'Zhao'], ['黄', 'Huang'], ['周', 'Zhou'], ['吴', 'Wu'], ['徐', 'Xu'], ['孙', 'Sun'],
  ['胡', 'Hu'], ['朱', 'Zhu'], ['高', 'Gao'], ['林', 'Lin'], ['何', 'He'], ['郭', 'Guo'],
  ['马', 'Ma'], ['罗', 'Luo'],
]; // prettier-ignore

const GIVEN_NAMES: readonly (readonly [string, string])[] = [
  ['伟', 'Wei'], ['芳', 'Fang'], ['娜', 'Na'], ['敏', 'Min'], ['静', 'Jing'], ['丽', 'Li'],
  ['强', 'Qiang'], ['磊', 'Lei'], ['军', 'Jun'], ['洋', 'Yang'], ['勇', 'Yong'], ['艳', 'Yan'],
  ['杰', 'Jie'], ['涛', 'Tao'], ['明', 'Ming'], ['超', 'Chao'], ['霞', 'Xia'], ['平', 'Ping'],
  ['晓东', 'Xiaodong'], ['思远', 'Siyuan'], ['雨桐', 'Yutong'], ['子涵', 'Zihan'], ['秀英', 'Xiuying'],
  ['建华', 'Jianhua'],
]; // prettier-ignore

/** Client firms of the externals; fictitious on purpose (example/sample/demo names). */
const CLIENT_FIRMS: readonly (readonly [string, string])[] = [
  ['示例证券 Example Securities', 'example-securities.cn'],
  ['样例资管 Sample Asset Management', 'sample-am.cn'],
  ['演示信托 Demo Trust', 'demo-trust.cn'],
  ['测试基金 Test Fund Management', 'test-fund.cn'],
];

const INTERNAL_GROUPS = [
  '固收交易组 Fixed Income Desk',
  '合规部 Compliance Team',
  '零售业务周会 Retail Weekly',
  'IT 运维 IT Ops',
];
const CUSTOMER_GROUPS = [
  'VIP客户服务群 VIP Client Service',
  '债券路演群 Bond Roadshow',
  '理财产品咨询 Wealth Products Q&A',
  '示例证券合作群 Example Securities Partnership',
];

const MOBILE_PREFIXES = ['138', '139', '136', '135', '186', '150', '177', '188'];
/** the alphabet of WeCom's opaque ids (external_userid, roomid) */
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

export const EMPLOYEE_COUNT = 24;
export const EXTERNAL_COUNT = 12;

function mobile(prng: Prng): string {
  return `+86${prng.pick(MOBILE_PREFIXES)}${prng.chars(8, '0123456789')}`;
}

/** Distinct bilingual names: `[chinese, surname pinyin, given pinyin]`. */
function names(prng: Prng, count: number, taken: Set<string>): [string, string, string][] {
  const out: [string, string, string][] = [];
  while (out.length < count) {
    const [sz, sp] = prng.pick(SURNAMES);
    const [gz, gp] = prng.pick(GIVEN_NAMES);
    if (taken.has(sz + gz)) continue;
    taken.add(sz + gz);
    out.push([sz + gz, sp, gp]);
  }
  return out;
}

/** corpid as WeCom issues them: `ww` and 16 hex digits */
export function corpIdFor(seed: number): string {
  return `ww${Prng.from(seed, 'corpid').chars(16, '0123456789abcdef')}`;
}

/** The directory of the sandbox corp for `seed`. */
export function buildDirectory(seed: number): DirectorySnapshot {
  const prng = Prng.from(seed, 'directory');
  const taken = new Set<string>();
  const people: Person[] = [];

  for (const [zh, sp, gp] of names(prng, EMPLOYEE_COUNT, taken)) {
    const id = (sp + gp).toLowerCase();
    people.push({
      id,
      kind: 'internal',
      name: `${zh} ${sp} ${gp}`,
      mobile: mobile(prng),
      // surname and given-name pinyin lists are each distinct, so `given.surname` is unique
      email: `${gp.toLowerCase()}.${sp.toLowerCase()}@${CORP_DOMAIN}`,
      corpName: CORP_NAME,
    });
  }

  for (const [i, [zh, sp, gp]] of names(prng, EXTERNAL_COUNT, taken).entries()) {
    // `wo` ids are the older external_userid form; a few remain in every long-lived corp
    const id = `${i % 4 === 3 ? 'wo' : 'wm'}${prng.chars(30, ID_ALPHABET)}`;
    const [firm, domain] = CLIENT_FIRMS[i % CLIENT_FIRMS.length] as readonly [string, string];
    const person: Person = { id, kind: 'external', name: `${zh} ${sp} ${gp}`, corpName: firm };
    if (i % 2 === 0) person.mobile = mobile(prng);
    if (i % 3 !== 2) person.email = `${gp.toLowerCase()}.${sp.toLowerCase()}@${domain}`;
    people.push(person);
  }

  people.push(
    { id: `wb${prng.chars(30, ID_ALPHABET)}`, kind: 'robot', name: '合规提醒 Compliance Bot', corpName: CORP_NAME },
    { id: `wb${prng.chars(30, ID_ALPHABET)}`, kind: 'robot', name: '行情播报 Market Data Bot', corpName: CORP_NAME },
  );

  const employees = people.filter((p) => p.kind === 'internal').map((p) => p.id);
  const externals = people.filter((p) => p.kind === 'external').map((p) => p.id);
  const robots = people.filter((p) => p.kind === 'robot').map((p) => p.id);
  const rooms: Room[] = [];
  for (const [i, name] of INTERNAL_GROUPS.entries()) {
    const members = prng.shuffle([...employees]).slice(0, prng.int(4, 8));
    if (i < robots.length) members.push(robots[i] as string);
    rooms.push({ id: `wr${prng.chars(30, ID_ALPHABET)}`, name, kind: 'internal', members });
  }
  for (const name of CUSTOMER_GROUPS) {
    const staff = prng.shuffle([...employees]).slice(0, prng.int(2, 4));
    const clients = prng.shuffle([...externals]).slice(0, prng.int(2, 5));
    rooms.push({ id: `wr${prng.chars(30, ID_ALPHABET)}`, name, kind: 'customer', members: [...staff, ...clients] });
  }

  return { corpId: corpIdFor(seed), corpName: CORP_NAME, people, rooms };
}

/** Where messages are sent: a group (roomid) or a one-to-one pair. */
export interface Conversation {
  roomid: string;
  members: string[];
  /** an external contact takes part: msgids end in `_external` */
  external: boolean;
  /** for one-to-one chats with an external: the external contact */
  externalPeer?: string;
}

/**
 * The conversations traffic flows in, from the directory and the seed: each employee talks to
 * a few colleagues, each external contact to the one or two employees who serve them.
 */
export function buildConversations(dir: DirectorySnapshot, seed: number): Conversation[] {
  const prng = Prng.from(seed, 'conversations');
  const employees = dir.people.filter((p) => p.kind === 'internal').map((p) => p.id);
  const externals = dir.people.filter((p) => p.kind === 'external').map((p) => p.id);
  const out: Conversation[] = [];
  const pairs = new Set<string>();
  while (pairs.size < 16) {
    const a = prng.pick(employees);
    const b = prng.pick(employees);
    if (a === b || pairs.has([a, b].sort().join())) continue;
    pairs.add([a, b].sort().join());
    out.push({ roomid: '', members: [a, b], external: false });
  }
  for (const ext of externals) {
    const owners = prng.shuffle([...employees]).slice(0, prng.int(1, 2));
    for (const owner of owners) out.push({ roomid: '', members: [owner, ext], external: true, externalPeer: ext });
  }
  for (const room of dir.rooms) {
    out.push({ roomid: room.id, members: room.members, external: room.kind === 'customer' });
  }
  return out;
}
