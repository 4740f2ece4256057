/**
 * The parsed form of a search query, shared by the CLI, the API and the console. Every index
 * implementation evaluates this same tree, so they cannot disagree on what a query means.
 */

/** The filters a query may use, each with its one-line meaning. */
export const FILTER_FIELDS = {
  /** the sender: userid, mobile, email, mailbox or name */
  from: 'the sender (userid, mobile, email, mailbox or name)',
  /** a recipient, same forms as from: */
  to: 'a recipient (userid, mobile, email, mailbox or name)',
  /** the sender or a recipient */
  participant: 'the sender or a recipient',
  /** the group chat's roomid or name, or a one-to-one chat id */
  conversation: "the conversation's id or name",
  /** the WeCom msgtype */
  type: 'the message type (text, image, file, ...)',
  /** an embedded archive mailbox that holds the item */
  mailbox: 'an archive mailbox holding the item',
  /** the connector that archived it */
  connector: 'the connector id',
  /** sent at or after this time (inclusive) */
  after: 'sent at or after (ISO 8601 date or date-time, UTC unless an offset is given)',
  /** sent before this time (exclusive) */
  before: 'sent before (ISO 8601 date or date-time, UTC unless an offset is given)',
  /** has:attachment */
  has: 'has:attachment',
  /** is:recalled, is:external */
  is: 'is:recalled or is:external',
} as const;

export type FilterField = keyof typeof FILTER_FIELDS;

export type QueryNode =
  | { type: 'and'; children: QueryNode[] }
  | { type: 'or'; children: QueryNode[] }
  | { type: 'not'; child: QueryNode }
  /** text that must appear: a CJK substring, or whole words in order */
  | { type: 'term'; text: string; quoted: boolean; position: number }
  | { type: 'filter'; field: 'from' | 'to' | 'participant' | 'conversation'; value: string; position: number }
  | { type: 'filter'; field: 'type' | 'mailbox' | 'connector'; value: string; position: number }
  /** `time` in ms UTC */
  | { type: 'filter'; field: 'after' | 'before'; value: string; time: number; position: number }
  | { type: 'filter'; field: 'has'; value: 'attachment'; position: number }
  | { type: 'filter'; field: 'is'; value: 'recalled' | 'external'; position: number };

export type FilterNode = Extract<QueryNode, { type: 'filter' }>;
