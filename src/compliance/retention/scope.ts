/**
 * Whether a policy's scope covers one mailbox entry: the entry's mailbox and connector, the
 * people of its message (sender and recipients) and the conversation's kinds. An empty list in
 * the scope means "all" for that dimension; the dimensions combine with AND.
 */
import type { ConversationKind, RetentionScope } from './policy.js';

export interface EntryFacts {
  mailbox: string;
  connectorId: string;
  /** sender and recipients' person ids */
  people: readonly string[];
  kinds: readonly ConversationKind[];
}

export function inScope(scope: RetentionScope, e: EntryFacts): boolean {
  if (scope.connectors.length > 0 && !scope.connectors.includes(e.connectorId)) return false;
  if (scope.mailboxes.length > 0 && !scope.mailboxes.some((m) => m.toLowerCase() === e.mailbox.toLowerCase()))
    return false;
  if (scope.people.length > 0 && !e.people.some((p) => scope.people.includes(p))) return false;
  if (scope.kinds.length > 0 && !e.kinds.some((k) => scope.kinds.includes(k))) return false;
  return true;
}

/** The kinds of a message from its canonical model: one-to-one or group, plus external. */
export function kindsOf(m: { conversationKind: 'group' | 'single'; external: boolean }): ConversationKind[] {
  const k: ConversationKind[] = [m.conversationKind === 'group' ? 'group' : 'one-to-one'];
  if (m.external) k.push('external');
  return k;
}
