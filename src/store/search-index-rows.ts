/**
 * The row the search index stores for one item, as compliance/search builds it from a
 * document: shared by the SQLite writes (search-index.ts) and the PostgreSQL ones
 * (search-index-pg.ts), so both dialects store the same thing.
 */

/** Slots per millisecond in the time-ordered row id (msg_time * 1024 + n). */
export const SEARCH_ID_SLOTS = 1024;

/** One item as the index stores it. */
export interface SearchRowWrite {
  itemKey: string;
  connectorId: string;
  msgid: string;
  /** ms UTC */
  time: number;
  msgtype: string;
  fromId: string;
  fromName?: string;
  fromMailbox?: string;
  conversationId: string;
  conversationName?: string;
  conversationKind: 'single' | 'group';
  mailboxes: string[];
  /** participant id -> mapped mailbox, as known when indexed */
  addresses: [string, string][];
  recalled: boolean;
  hasAttachments: boolean;
  external: boolean;
  /** the text results quote their snippet from */
  body: string;
  /** the index tokens, space-separated */
  tokens: string;
  /** SHA-256 of what was indexed (tokens, facets, body, flags but the recall, which changes later) */
  docSha256: string;
  tokenizerVersion: number;
  unreadableAttachments: number;
  /** normalised values: from/to person ids, mailboxes, conversation id and name */
  facets: { field: 'from' | 'to' | 'mailbox' | 'conversation'; value: string }[];
  /** normalised alias -> person id (the id itself included) */
  aliases: { alias: string; personId: string }[];
}
