/**
 * searchArchive: the one entry point the CLI, the API and the console search through. Parses
 * the query, asks the index for one page (newest first by default, keyset-paged by the
 * time-ordered row id, so page 1,000 costs what page 1 does), and shapes each hit with its
 * snippet and highlights.
 */
import { ArchiverError } from '../../core/errors.js';
import type { Store } from '../../store/index.js';
import type { SearchItemRow } from '../../store/search-query.js';
import { aliasKey } from './aliases.js';
import { positiveTerms } from './query-compile.js';
import { parseQuery } from './query-parse.js';
import { embeddedSearchIndex } from './search-index.js';
import { snippetOf } from './snippet.js';

export const SEARCH_LIMIT_DEFAULT = 50;
export const SEARCH_LIMIT_MAX = 500;

export interface SearchRequest {
  query: string;
  /** default 50, at most 500 */
  limit?: number;
  /** opaque, the nextCursor of the previous page of the same query and sort */
  cursor?: string;
  sort?: 'newest' | 'relevance';
  /** only items with an entry in one of these mailboxes; undefined = all */
  mailboxScope?: readonly string[];
  /** only items of this review set */
  reviewSetId?: number;
}

export interface SearchHit {
  itemKey: string;
  msgid: string;
  /** ISO 8601 UTC */
  time: string;
  msgtype: string;
  connectorId: string;
  from: { id: string; name?: string; mailbox?: string };
  conversation: { id: string; name?: string; kind: 'single' | 'group' };
  mailboxes: string[];
  recalled: boolean;
  hasAttachments: boolean;
  /** plain text, no markup */
  snippet: string;
  /** [start, end) UTF-16 offsets into snippet */
  highlights: Array<[number, number]>;
}

export interface SearchResult {
  total: number;
  items: SearchHit[];
  nextCursor?: string;
}

function encodeCursor(sort: string, at: number): string {
  return Buffer.from(`${sort === 'relevance' ? 'r' : 'n'}.${at}`, 'latin1').toString('base64url');
}

function decodeCursor(cursor: string, sort: string): number {
  const m = /^([nr])\.(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!m || m[1] !== (sort === 'relevance' ? 'r' : 'n'))
    throw new ArchiverError('WXA_INPUT_INVALID', 'cursor: not a nextCursor of this search; start from the first page');
  return Number(m[2]);
}

function hitOf(row: SearchItemRow, terms: readonly string[]): SearchHit {
  const { snippet, highlights } = snippetOf(row.body, terms);
  return {
    itemKey: row.item_key,
    msgid: row.msgid,
    time: new Date(Number(row.msg_time)).toISOString(),
    msgtype: row.msgtype,
    connectorId: row.connector_id,
    from: {
      id: row.from_id,
      ...(row.from_name ? { name: row.from_name } : {}),
      ...(row.from_mailbox ? { mailbox: row.from_mailbox } : {}),
    },
    conversation: {
      id: row.conversation_id,
      ...(row.conversation_name ? { name: row.conversation_name } : {}),
      kind: row.conversation_kind === 'group' ? 'group' : 'single',
    },
    mailboxes: JSON.parse(row.mailboxes_json) as string[],
    recalled: row.recalled === 1,
    hasAttachments: row.has_attachments === 1,
    snippet,
    highlights,
  };
}

/** Runs a search; a bad query throws WXA_SEARCH_QUERY_INVALID with details { position, expected }. */
export async function searchArchive(store: Store, req: SearchRequest): Promise<SearchResult> {
  const ast = parseQuery(req.query);
  const sort = req.sort ?? 'newest';
  const limit = Math.max(1, Math.min(SEARCH_LIMIT_MAX, Math.floor(req.limit ?? SEARCH_LIMIT_DEFAULT)));
  const after = req.cursor ? decodeCursor(req.cursor, sort) : undefined;
  const res = await embeddedSearchIndex(store.db).query(ast, {
    limit,
    sort,
    ...(after !== undefined ? { after } : {}),
    ...(req.mailboxScope ? { mailboxScope: req.mailboxScope.map(aliasKey) } : {}),
    ...(req.reviewSetId !== undefined ? { reviewSetId: req.reviewSetId } : {}),
  });
  const terms = positiveTerms(ast);
  return {
    total: res.total,
    items: res.rows.map((r) => hitOf(r, terms)),
    ...(res.next !== undefined ? { nextCursor: encodeCursor(sort, res.next) } : {}),
  };
}
