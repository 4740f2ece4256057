/**
 * The block model a rendered message is described in, independent of how it is shown, with
 * the small row builders the describers share. It is built once per message (describe*.ts)
 * and written out as text/plain (body-text.ts) and text/html (body-html.ts); both bodies walk
 * the same blocks, so they cannot drift apart.
 */
import type { ChatMessage } from '../core/model.js';
import type { RenderContext } from './context.js';

/** A labelled value; `href` makes it a link in HTML (only http and https are ever linked). */
export interface Field {
  label: string;
  value: string;
  href?: string;
}

export type Block =
  /** free text written by a person: newlines kept, nothing interpreted */
  | { type: 'text'; text: string }
  /** label/value rows */
  | { type: 'fields'; fields: Field[] }
  /** preformatted text: markdown source, raw JSON */
  | { type: 'pre'; text: string }
  /** something the reviewer must notice: missing media, unknown type, recall */
  | { type: 'notice'; tone: 'info' | 'warning'; text: string }
  /** a titled list of one-line entries */
  | { type: 'list'; title: string; items: string[] }
  /** a titled group shown indented: nested chat-record items, news articles */
  | { type: 'section'; heading: string; blocks: Block[] };

/** One content item, described. */
export interface Description {
  /** bilingual label of the kind, e.g. `Voice call (语音通话)` */
  title: string;
  /** one English line for the subject, e.g. `Voice call (2m 05s)` */
  summary: string;
  blocks: Block[];
}

/** Everything the bodies show for one message. */
export interface MessageView {
  title: string;
  summary: string;
  conversation: string;
  envelope: Field[];
  /** shown above everything when the message was recalled later */
  banner?: string;
  blocks: Block[];
}

/** Per-render state shared by the describers. */
export interface Scope {
  msg: ChatMessage;
  ctx: RenderContext;
  /** size in bytes per attachment index (undefined: not available), so body and parts agree */
  sizes: readonly (number | undefined)[];
  /** attachment indexes some content refers to; the rest are listed at the end */
  referenced: Set<number>;
  depth: number;
}

/** A rows block without the rows whose value is missing. */
export function fieldsBlock(fields: (Field | undefined)[]): Block {
  return { type: 'fields', fields: fields.filter((f): f is Field => f !== undefined && f.value !== '') };
}

/** A row, or nothing when the value is absent. */
export function field(label: string, value: string | number | undefined): Field | undefined {
  return value === undefined ? undefined : { label, value: String(value) };
}

/** A row that links to `url` in HTML when it is an http(s) URL; other schemes stay plain text. */
export function linkField(label: string, url: string | undefined): Field | undefined {
  if (!url) return undefined;
  return /^https?:\/\/[^\s]+$/i.test(url) ? { label, value: url, href: url } : { label, value: url };
}
