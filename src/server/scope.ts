/**
 * What part of the archive a console user may read, as the mailboxes whose items they may
 * see. Today the role table grants mailbox access to whole roles (mailboxes:read: every
 * mailbox), so the scope is "all"; the search, the conversation view and the previews take
 * the scope from here, so a grant of some mailboxes only is a change in this one place. A
 * user without mailboxes:read (a Reviewer) is limited per item instead (item-access.ts).
 */
import type { MailboxScope } from '../store/conversations.js';
import type { SessionUser } from './contract.js';

export function mailboxScopeOf(user: SessionUser | undefined): MailboxScope {
  if (!user) return [];
  return undefined;
}
