/**
 * One describer per content kind, in a table the compiler checks for completeness: a kind
 * added to the model does not build until it has a description here. Also the kinds that are
 * events rather than content (recall, consent, account switch), nesting, and unknown types.
 */
import type { Content, NestedItem } from '../core/model.js';
import { nameOf, personLabel } from './addresses.js';
import * as media from './describe-media.js';
import * as rich from './describe-rich.js';
import { bothZones, optionalTime } from './format.js';
import { field, fieldsBlock, type Block, type Description, type Scope } from './view.js';

type Of<K extends Content['kind']> = Content & { kind: K };
type Describers = { [K in Content['kind']]: (c: Of<K>, scope: Scope) => Description };

/** Deeper nesting than this is cut with a notice: a forwarded record of a record of ... */
const MAX_DEPTH = 8;

/** Items of a chat record or mixed message, each a section with its time, described recursively. */
function nestedBlocks(items: readonly NestedItem[], scope: Scope): Block[] {
  if (items.length === 0) return [{ type: 'notice', tone: 'info', text: 'No items (无内容).' }];
  const inner: Scope = { ...scope, depth: scope.depth + 1 };
  return items.map((item, i) => {
    const d = describeContent(item.content, inner);
    let heading = `${i + 1}. ${d.title}`;
    if (item.type) heading += ` [${item.type}]`;
    const time = optionalTime(item.time);
    if (time) heading += `, ${time}`;
    if (item.fromChatroom) heading += ', from a group chat (来自群聊)';
    return { type: 'section', heading, blocks: d.blocks };
  });
}

/** Pretty JSON of an unknown payload. Payloads come from JSON.parse, so stringify cannot fail on them. */
function prettyJson(payload: unknown): string {
  return JSON.stringify(payload, null, 2) ?? String(payload);
}

function consent(c: Of<'agree' | 'disagree'>, scope: Scope): Description {
  const name = nameOf(scope.ctx, c.userid);
  const agreed = c.kind === 'agree';
  const text = agreed
    ? `${name} agreed to have conversations archived (同意会话存档).`
    : `${name} declined to have conversations archived (拒绝会话存档); ` +
      'WeCom does not deliver their messages to the archive from now on.';
  return {
    title: agreed ? 'Consent to archiving (同意存档)' : 'Archiving declined (拒绝存档)',
    summary: agreed ? `${name} agreed to archiving` : `${name} declined archiving`,
    blocks: [
      { type: 'notice', tone: agreed ? 'info' : 'warning', text },
      fieldsBlock([field('Who (用户)', personLabel(scope.ctx, c.userid)), field('When (时间)', optionalTime(c.time))]),
    ],
  };
}

const DESCRIBERS: Describers = {
  text: (c) => ({ title: 'Text message (文本)', summary: c.text, blocks: [{ type: 'text', text: c.text }] }),
  markdown: (c) => ({
    title: 'Markdown message (Markdown 消息)',
    summary: c.content,
    blocks: [{ type: 'pre', text: c.content }],
  }),
  image: media.image,
  voice: media.voice,
  video: media.video,
  emotion: media.emotion,
  file: media.file,
  voip_doc_share: media.voipDocShare,
  meeting_voice_call: media.meetingVoiceCall,
  voiptext: media.voiptext,
  card: rich.card,
  location: rich.location,
  link: rich.link,
  weapp: rich.weapp,
  todo: rich.todo,
  vote: rich.vote,
  collect: rich.collect,
  redpacket: rich.redpacket,
  meeting: rich.meeting,
  meeting_notification: rich.meetingNotification,
  docmsg: rich.docmsg,
  news: rich.news,
  calendar: rich.calendar,
  sphfeed: rich.sphfeed,
  qydiskfile: rich.qydiskfile,
  agree: consent,
  disagree: consent,
  chatrecord: (c, scope) => ({
    title: 'Chat record (聊天记录)',
    summary: `Chat record: ${c.title}`,
    blocks: [fieldsBlock([field('Title (标题)', c.title)]), ...nestedBlocks(c.items, scope)],
  }),
  mixed: (c, scope) => {
    const firstText = c.items.find((i) => i.content.kind === 'text')?.content;
    return {
      title: 'Mixed message (图文混排)',
      summary: firstText?.kind === 'text' ? firstText.text : 'Mixed message',
      blocks: nestedBlocks(c.items, scope),
    };
  },
  revoke: (c, scope) => {
    const original = scope.ctx.recalledSummary?.(c.preMsgid);
    return {
      title: 'Recalled message (撤回消息)',
      summary: 'Recalled message',
      blocks: [
        { type: 'notice', tone: 'info', text: `Recalled message ${c.preMsgid} (撤回了一条消息)` },
        fieldsBlock([field('Recalled message id', c.preMsgid), field('Original message (原消息)', original)]),
      ],
    };
  },
  switch: (c, scope) => ({
    title: 'Account switch (切换企业)',
    summary: `${nameOf(scope.ctx, c.user)} switched enterprise account`,
    blocks: [
      { type: 'text', text: `${nameOf(scope.ctx, c.user)} switched to another enterprise account (切换企业账号).` },
      fieldsBlock([
        field('User (用户)', personLabel(scope.ctx, c.user)),
        field('When (时间)', bothZones(scope.msg.time)),
      ]),
    ],
  }),
  unknown: (c) => ({
    title: 'Unknown message type (未知消息类型)',
    summary: `Unknown message type ${c.msgtype}`,
    blocks: [
      {
        type: 'notice',
        tone: 'warning',
        text: `Unknown message type ${c.msgtype} — raw content below (未知消息类型，原始内容如下)`,
      },
      { type: 'pre', text: prettyJson(c.payload) },
    ],
  }),
};

export function describeContent(content: Content, scope: Scope): Description {
  if (scope.depth > MAX_DEPTH) {
    return {
      title: 'Nested too deep (嵌套过深)',
      summary: 'Nested content',
      blocks: [
        { type: 'notice', tone: 'warning', text: `Content nested deeper than ${MAX_DEPTH} levels is not shown.` },
      ],
    };
  }
  // The table is keyed by kind, so the entry always matches the content; TypeScript cannot
  // correlate the two through an index, hence the widening.
  const describe = DESCRIBERS[content.kind] as (c: Content, scope: Scope) => Description;
  return describe(content, scope);
}
