/**
 * Descriptions of the structured content kinds: cards, locations, links, mini programs,
 * to-dos, votes, forms, red packets, meetings, documents, news, calendar events, Channels
 * posts and WeDrive files. WeCom's numeric codes are spelled out so a reviewer needs no manual.
 */
import type { Content } from '../core/model.js';
import { nameOf } from './addresses.js';
import { formatYuan, optionalTime } from './format.js';
import { field, fieldsBlock, linkField, type Block, type Description, type Scope } from './view.js';

type Of<K extends Content['kind']> = Content & { kind: K };

/** A code with its meaning when we know it, else the bare code. */
function coded(table: Record<number, string>, code: number | undefined): string | undefined {
  if (code === undefined) return undefined;
  const meaning = table[code];
  return meaning ? `${meaning} [${code}]` : `code ${code}`;
}

export function card(c: Of<'card'>, scope: Scope): Description {
  const name = nameOf(scope.ctx, c.userid);
  return {
    title: 'Contact card (名片)',
    summary: `Contact card: ${name}`,
    blocks: [
      fieldsBlock([field('Name (姓名)', name), field('Company (企业)', c.corpName), field('User id', c.userid)]),
    ],
  };
}

export function location(c: Of<'location'>): Description {
  const { latitude: lat, longitude: lon } = c;
  const known = lat !== undefined && lon !== undefined && Number.isFinite(lat) && Number.isFinite(lon);
  const blocks: Block[] = [
    fieldsBlock([
      field('Place (地点)', c.title),
      field('Address (地址)', c.address),
      field('Coordinates (坐标)', known ? `${lat}, ${lon} (latitude, longitude; GCJ-02)` : undefined),
      field('Zoom', c.zoom),
      // WeChat's coordinates are GCJ-02, which Amap uses as is; OpenStreetMap uses WGS-84, so its
      // pin can sit a few hundred metres off inside mainland China. Both are given: the first is
      // exact, the second opens anywhere.
      known ? linkField('Map (高德地图)', `https://uri.amap.com/marker?position=${lon},${lat}`) : undefined,
      known
        ? linkField(
            'Map (OpenStreetMap, approximate)',
            `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=${c.zoom ?? 15}/${lat}/${lon}`,
          )
        : undefined,
    ]),
  ];
  return { title: 'Location (位置)', summary: `Location: ${c.title || c.address}`, blocks };
}

export function link(c: Of<'link'>): Description {
  return {
    title: 'Link (链接)',
    summary: `Link: ${c.title || c.url}`,
    blocks: [
      fieldsBlock([
        field('Title (标题)', c.title),
        field('Description (描述)', c.description),
        linkField('URL (链接)', c.url),
        linkField('Image URL (图片链接)', c.imageUrl),
      ]),
    ],
  };
}

export function weapp(c: Of<'weapp'>): Description {
  return {
    title: 'Mini program (小程序)',
    summary: `Mini program: ${c.title || c.displayName}`,
    blocks: [
      fieldsBlock([
        field('Title (标题)', c.title),
        field('Description (描述)', c.description),
        field('Mini program (名称)', c.displayName),
        field('Account (username)', c.username),
      ]),
    ],
  };
}

export function todo(c: Of<'todo'>): Description {
  return {
    title: 'To-do (待办)',
    summary: `To-do: ${c.title}`,
    blocks: [fieldsBlock([field('Title (标题)', c.title)]), { type: 'text', text: c.content }],
  };
}

const VOTE_TYPES: Record<number, string> = { 101: 'Started a vote (发起投票)', 102: 'Voted (参与投票)' };

export function vote(c: Of<'vote'>): Description {
  return {
    title: 'Vote (投票)',
    summary: `Vote: ${c.title}`,
    blocks: [
      fieldsBlock([
        field('Title (标题)', c.title),
        field('Action', coded(VOTE_TYPES, c.voteType)),
        field('Vote id', c.voteId),
      ]),
      { type: 'list', title: 'Options (选项)', items: c.items },
    ],
  };
}

export function collect(c: Of<'collect'>): Description {
  return {
    title: 'Form (填表)',
    summary: `Form: ${c.title}`,
    blocks: [
      fieldsBlock([
        field('Title (标题)', c.title),
        field('Group (群名)', c.roomName),
        field('Creator (创建人)', c.creator),
        field('Created (创建时间)', c.createTime),
      ]),
      {
        type: 'list',
        title: 'Questions (问题)',
        items: c.details.map((d, i) => `${d.id ?? i + 1}. ${d.ques} (${d.type})`),
      },
    ],
  };
}

const PACKET_TYPES: Record<number, string> = {
  1: 'Normal (普通红包)',
  2: 'Lucky draw (拼手气红包)',
  3: 'Incentive (激励红包)',
};

export function redpacket(c: Of<'redpacket'>): Description {
  const amount = c.totalAmountFen === undefined ? undefined : formatYuan(c.totalAmountFen);
  return {
    title: c.external ? 'External red packet (互通红包)' : 'Red packet (红包)',
    summary: amount ? `Red packet (${amount})` : 'Red packet',
    blocks: [
      fieldsBlock([
        field('Type (类型)', coded(PACKET_TYPES, c.packetType)),
        field('Wish (祝福语)', c.wish),
        field('Count (个数)', c.totalCount),
        field('Total amount (总金额)', amount),
      ]),
    ],
  };
}

const MEETING_TYPES: Record<number, string> = { 101: 'Invitation (发起会议邀请)', 102: 'Reply (处理会议邀请)' };
const MEETING_STATUS: Record<number, string> = {
  1: 'Attending (参加会议)',
  2: 'Declined (拒绝会议)',
  3: 'Tentative (待定)',
  4: 'Not invited (未被邀请)',
  5: 'Cancelled (会议已取消)',
  6: 'Expired (会议已过期)',
  7: 'Not in the room (不在房间内)',
};

export function meeting(c: Of<'meeting'>): Description {
  return {
    title: 'Meeting (会议)',
    summary: `Meeting: ${c.topic}`,
    blocks: [
      fieldsBlock([
        field('Topic (主题)', c.topic),
        field('Start (开始)', optionalTime(c.startTime)),
        field('End (结束)', optionalTime(c.endTime)),
        field('Address (地址)', c.address),
        field('Remarks (备注)', c.remarks),
        field('Kind', coded(MEETING_TYPES, c.meetingType)),
        field('Status (状态)', coded(MEETING_STATUS, c.status)),
        field('Meeting id', c.meetingId),
      ]),
    ],
  };
}

export function meetingNotification(c: Of<'meeting_notification'>): Description {
  return {
    title: 'Meeting notification (会议通知)',
    summary: `Meeting notification: ${c.content}`,
    blocks: [
      { type: 'text', text: c.content },
      fieldsBlock([field('Meeting id', c.meetingId), field('Notification type', c.notificationType)]),
    ],
  };
}

export function docmsg(c: Of<'docmsg'>, scope: Scope): Description {
  return {
    title: 'Online document (在线文档)',
    summary: `Document: ${c.title}`,
    blocks: [
      fieldsBlock([
        field('Title (标题)', c.title),
        linkField('URL (链接)', c.url),
        field('Creator (创建人)', c.creator ? nameOf(scope.ctx, c.creator) : undefined),
      ]),
    ],
  };
}

export function news(c: Of<'news'>): Description {
  return {
    title: 'News (图文消息)',
    summary: `News: ${c.items[0]?.title ?? ''}`,
    blocks: c.items.map((item, i) => ({
      type: 'section',
      heading: `${i + 1}. ${item.title}`,
      blocks: [
        fieldsBlock([
          field('Description (描述)', item.description),
          linkField('URL (链接)', item.url),
          linkField('Picture (图片)', item.picUrl),
        ]),
      ],
    })),
  };
}

export function calendar(c: Of<'calendar'>): Description {
  return {
    title: 'Calendar event (日程)',
    summary: `Calendar: ${c.title}`,
    blocks: [
      fieldsBlock([
        field('Title (标题)', c.title),
        field('Organiser (创建人)', c.creatorName),
        field('Start (开始)', optionalTime(c.startTime)),
        field('End (结束)', optionalTime(c.endTime)),
        field('Place (地点)', c.place),
        field('Remarks (备注)', c.remarks),
      ]),
      { type: 'list', title: 'Attendees (参与人)', items: c.attendees },
    ],
  };
}

const FEED_TYPES: Record<number, string> = { 2: 'Image (图片)', 4: 'Video (视频)', 9: 'Live (直播)' };

export function sphfeed(c: Of<'sphfeed'>): Description {
  return {
    title: 'Channels post (视频号)',
    summary: `Channels: ${c.name}`,
    blocks: [
      fieldsBlock([
        field('Account (视频号)', c.name),
        field('Post type (类型)', coded(FEED_TYPES, c.feedType)),
        field('Description (描述)', c.description),
      ]),
    ],
  };
}

export function qydiskfile(c: Of<'qydiskfile'>): Description {
  return {
    title: 'WeDrive file (微盘文件)',
    summary: `WeDrive file: ${c.filename}`,
    blocks: [fieldsBlock([field('File name (文件名)', c.filename)])],
  };
}
