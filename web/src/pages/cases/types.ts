/** The shapes the case API answers with (src/compliance/cases), as the console reads them. */
export interface CaseView {
  id: number;
  name: string;
  description: string;
  status: 'active' | 'closed';
  createdBy: string;
  createdAt: string;
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
