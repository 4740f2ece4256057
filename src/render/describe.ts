/**
 * The whole view of one message: the envelope a reviewer reads first (conversation, from, to,
 * time in UTC and Asia/Shanghai), the recall banner, the content, and any attachment no
 * content referred to. The subject and both bodies are made from this one view.
 */
import type { ChatMessage } from '../core/model.js';
import { personLabel, shortName } from './addresses.js';
import type { RenderContext } from './context.js';
import { describeContent } from './describe-kinds.js';
import { bothZones, optionalTime, snippet } from './format.js';
import type { Field, MessageView, Scope } from './view.js';

/** Subject summaries are cut here; the subject adds the sender and room around it. */
const SUMMARY_MAX = 60;

/** The conversation's human name: the room name, or the people of a one-to-one chat. */
export function conversationName(msg: ChatMessage, ctx: RenderContext): string {
  if (msg.conversation.kind === 'group' || msg.roomid) {
    const id = msg.roomid || msg.conversation.id;
    return ctx.roomName?.(id)?.trim() || msg.conversation.name?.trim() || `Group chat ${id}`;
  }
  if (msg.conversation.name?.trim()) return msg.conversation.name.trim();
  // Sorted ids, so both directions of a one-to-one chat get the same name (and Thread-Topic).
  const ids = [msg.from, ...msg.tolist].filter((v, i, a) => v && a.indexOf(v) === i).sort();
  return ids.map((id) => shortName(ctx, id)).join(' & ') || msg.conversation.id;
}

export function describeMessage(
  msg: ChatMessage,
  ctx: RenderContext,
  sizes: readonly (number | undefined)[],
): MessageView {
  const scope: Scope = { msg, ctx, sizes, referenced: new Set(), depth: 0 };
  const d = describeContent(msg.content, scope);
  const conversation = conversationName(msg, ctx);
  const kind = msg.conversation.kind === 'group' ? 'group chat' : 'one-to-one chat';
  const envelope: Field[] = [
    { label: 'Conversation (会话)', value: `${conversation} (${kind})` },
    { label: 'From (发送人)', value: msg.from ? personLabel(ctx, msg.from) : 'Unknown' },
    { label: 'To (接收人)', value: msg.tolist.map((id) => personLabel(ctx, id)).join('\n') || '(none)' },
    { label: 'Time (时间)', value: bothZones(msg.time) },
    { label: 'Type (类型)', value: `${d.title}; msgtype ${msg.msgtype || '(none)'}; action ${msg.action}` },
  ];
  const blocks = d.blocks.slice();
  const leftovers: string[] = [];
  msg.attachments.forEach((ref, i) => {
    if (scope.referenced.has(i)) return;
    // A file left out of this copy says why, as the content's own attachment does.
    const why = sizes[i] === undefined ? ctx.attachmentMissingReason?.(i) : undefined;
    const state =
      sizes[i] !== undefined ? 'see attachment' : why ? `media not available (${why})` : 'media not available';
    leftovers.push(`${ref.filename || `attachment ${i + 1}`}: ${state}`);
  });
  if (leftovers.length > 0) blocks.push({ type: 'list', title: 'Other attachments (其他附件)', items: leftovers });
  const recalledAt = optionalTime(ctx.recalledAt);
  const banner = recalledAt
    ? `This message was recalled by the sender at ${recalledAt} (此消息已被发送人撤回).`
    : undefined;
  return { title: d.title, summary: snippet(d.summary, SUMMARY_MAX), conversation, envelope, banner, blocks };
}
