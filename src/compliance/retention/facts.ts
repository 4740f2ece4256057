/**
 * The facts of one mailbox entry that a policy's scope is matched against, read from the
 * item's canonical model: sender and recipients, one-to-one or group, external or not (the
 * msgid's `_external` marker or an external participant, as search classifies it).
 */
import { personKindOf, type ChatMessage } from '../../core/model.js';
import type { CandidateEntry } from '../../store/disposition.js';
import { kindsOf, type EntryFacts } from './scope.js';

export function factsOf(c: CandidateEntry): EntryFacts {
  const m = JSON.parse(c.modelJson) as Pick<ChatMessage, 'from' | 'tolist' | 'conversation' | 'external'>;
  const people = [m.from, ...(m.tolist ?? [])].filter((p) => !!p);
  const external = m.external === true || people.some((p) => personKindOf(p) === 'external');
  return {
    mailbox: c.mailbox,
    connectorId: c.connectorId,
    people,
    kinds: kindsOf({ conversationKind: m.conversation?.kind ?? 'single', external }),
  };
}
