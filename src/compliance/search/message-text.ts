/**
 * The searchable text of a message, per content kind: what people wrote or named (text,
 * titles, descriptions, file names, topics, places, vote options), not the labels a renderer
 * adds around it. A table the compiler checks for completeness, like render/describe-kinds.ts:
 * a kind added to the model does not build until it says what of it is searchable.
 */
import type { Content } from '../../core/model.js';

type Of<K extends Content['kind']> = Content & { kind: K };
type Texts = { [K in Content['kind']]: (c: Of<K>, depth: number) => string[] };

/** A forwarded record of a record of ... is cut here, as the renderer does. */
const MAX_DEPTH = 8;

const TEXTS: Texts = {
  text: (c) => [c.text],
  markdown: (c) => [c.content],
  image: () => [],
  voice: () => [],
  video: () => [],
  emotion: () => [],
  revoke: () => [],
  agree: (c) => [c.userid],
  disagree: (c) => [c.userid],
  card: (c) => [c.corpName, c.userid],
  location: (c) => [c.title, c.address],
  file: (c) => [c.filename],
  link: (c) => [c.title, c.description, c.url],
  weapp: (c) => [c.title, c.description, c.displayName],
  chatrecord: (c, d) => [c.title, ...nested(c.items, d)],
  mixed: (c, d) => nested(c.items, d),
  todo: (c) => [c.title, c.content],
  vote: (c) => [c.title, ...c.items],
  collect: (c) => [c.roomName, c.creator, c.title, ...c.details.map((x) => x.ques)],
  redpacket: (c) => [c.wish],
  meeting: (c) => [c.topic, c.address, c.remarks],
  meeting_notification: (c) => [c.content],
  docmsg: (c) => [c.title, c.url, c.creator],
  news: (c) => c.items.flatMap((x) => [x.title, x.description, x.url]),
  calendar: (c) => [c.title, c.creatorName, ...c.attendees, c.place, c.remarks],
  meeting_voice_call: (c) => c.demoFiles.flatMap((f) => [f.filename, f.operator]),
  voip_doc_share: (c) => [c.filename],
  voiptext: () => [],
  sphfeed: (c) => [c.name, c.description],
  qydiskfile: (c) => [c.filename],
  switch: (c) => [c.user],
  unknown: (c) => [JSON.stringify(c.payload) ?? ''],
};

function nested(items: readonly { content: Content }[], depth: number): string[] {
  if (depth >= MAX_DEPTH) return [];
  return items.flatMap((i) => contentTexts(i.content, depth + 1));
}

/** The searchable texts of one content, in reading order, empty ones left out. */
export function contentTexts(content: Content, depth = 0): string[] {
  const fn = TEXTS[content.kind] as (c: Content, depth: number) => string[];
  return fn(content, depth).filter((t) => typeof t === 'string' && t.trim() !== '');
}

/** The searchable text of a message that a later recall of it is also found by. */
export function recallTextOf(content: Content): string {
  return contentTexts(content).join('\n').slice(0, RECALL_TEXT_MAX);
}

/** A recall carries at most this much of what it recalled (characters). */
const RECALL_TEXT_MAX = 4000;
