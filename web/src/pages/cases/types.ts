/** The shapes the case API answers with (src/compliance/cases), as the console reads them. */
export interface CaseView {
  id: number;
  name: string;
  description: string;
  status: 'active' | 'closed';
  createdBy: string;
  createdAt: string;
  closedAt?: string;
  /** whether the user is a member (in the case list) */
  member?: boolean;
}

export interface Hold {
  id: number;
  kind: 'custodian' | 'query';
  custodian?: string;
  query?: string;
  status: 'active' | 'released';
  placedBy: string;
  placedAt: string;
  items: number;
  bytes: number;
}

export interface CaseDetail extends CaseView {
  members: { username: string; addedBy: string; addedAt: string }[];
  custodians: string[];
  holds: Hold[];
}

export interface Counts {
  items: number;
  mailboxes: number;
  bytes: number;
  byType: Record<string, number>;
}

export interface SavedSearch {
  id: number;
  name: string;
  query: string;
  counts: Counts | null;
  runAt: string | null;
}

export interface ReviewSet {
  id: number;
  name: string;
  items: number;
  /** who is assigned to review it (in a case's list of sets) */
  reviewers?: string[];
}

/** A review tag of a case: built-in (no id) or the case's own, possibly retired. */
export interface CaseTag {
  id?: number;
  name: string;
  builtIn: boolean;
  retired: boolean;
  /** items of the case's review sets carrying it */
  items: number;
  createdBy?: string;
  retiredBy?: string;
}

/** A review set as its reviewer sees it: "My review" and the set's own page. */
export interface ReviewSetSummary {
  id: number;
  name: string;
  caseId: number;
  caseName: string;
  caseStatus: 'active' | 'closed';
  items: number;
  tagged: number;
  createdAt: string;
}

export interface ReviewSetDetail extends ReviewSetSummary {
  reviewers: string[];
  tags: CaseTag[];
}

export interface ReviewItem {
  itemKey: string;
  msgid: string;
  msgtype: string;
  /** ISO 8601 */
  msgTime: string;
  tags: string[];
  comments: { author: string; body: string; at: string }[];
}

export const casesApi = (id?: number) => (id === undefined ? '/api/cases' : `/api/cases/${id}`);
export const caseRoute = (id: number) => `/cases/${id}`;
export const reviewSetApi = (id: number) => `/api/review-sets/${id}`;
export const reviewRoute = (setId?: number) => (setId === undefined ? '/review' : `/review/${setId}`);
export const reviewItemRoute = (setId: number, itemKey: string) =>
  `/review/${setId}/items/${encodeURIComponent(itemKey)}`;
