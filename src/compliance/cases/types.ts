/**
 * What the case API answers with: cases, holds, saved searches, review sets, tags and review
 * items, with times as ISO 8601. Types only and no imports, so that the console can read them
 * through src/server/contract.ts and a change here fails the console's type check.
 */

export interface CaseView {
  id: number;
  name: string;
  description: string;
  status: 'active' | 'closed';
  createdBy: string;
  createdAt: string;
  closedAt?: string;
}

/** A case in the case list: `member` says whether the user is on it (administrators see every case). */
export interface CaseListEntry extends CaseView {
  member: boolean;
}

export interface HoldView {
  id: number;
  caseId: number;
  kind: 'custodian' | 'query';
  custodian?: string;
  query?: string;
  dateFrom?: string;
  dateTo?: string;
  status: 'active' | 'released';
  placedBy: string;
  placedAt: string;
  releasedBy?: string;
  releasedAt?: string;
  /** items and bytes (archived MIME) the hold covers now */
  items: number;
  bytes: number;
  /** from placing a hold: the case already had this one active, and nothing was placed */
  existing?: true;
}

export interface CaseDetail extends CaseView {
  members: { username: string; addedBy: string; addedAt: string }[];
  custodians: string[];
  holds: HoldView[];
}

/** What a query finds: items, mailboxes holding them, archived bytes, items per message type. */
export interface SearchCounts {
  items: number;
  mailboxes: number;
  bytes: number;
  byType: Record<string, number>;
}

export interface SavedSearchView {
  id: number;
  name: string;
  query: string;
  /** as of `runAt`; null before the first run */
  counts: SearchCounts | null;
  runAt: string | null;
  createdBy: string;
}

/** A review set in its case's list. */
export interface ReviewSetView {
  id: number;
  name: string;
  items: number;
  /** who is assigned to review it */
  reviewers: string[];
  createdBy: string;
  createdAt: string;
}

/** A review tag of a case: built-in (no id) or the case's own, possibly retired. */
export interface CaseTagView {
  /** absent on a built-in tag */
  id?: number;
  name: string;
  builtIn: boolean;
  retired: boolean;
  /** items of the case's review sets that carry it */
  items: number;
  createdBy?: string;
  createdAt?: string;
  retiredBy?: string;
  retiredAt?: string;
}

/** A review set as its reviewer sees it: "My review" and the set's own page. */
export interface ReviewSetSummary {
  id: number;
  name: string;
  caseId: number;
  caseName: string;
  caseStatus: 'active' | 'closed';
  items: number;
  /** items with at least one tag */
  tagged: number;
  createdAt: string;
}

export interface ReviewSetDetail extends ReviewSetSummary {
  reviewers: string[];
  /** the case's tags: built-in and custom, retired ones marked */
  tags: CaseTagView[];
}

export interface ReviewItemView {
  itemKey: string;
  msgid: string;
  msgtype: string;
  msgTime: string;
  tags: string[];
  comments: { author: string; body: string; at: string }[];
}

/** A page of a review set (optionally one tag's items). */
export interface ReviewPage {
  total: number;
  items: ReviewItemView[];
}
