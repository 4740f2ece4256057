/** The case API's shapes (owned by src/compliance/cases, read through the API contract) and the console's case routes. */
export type {
  CaseDetail,
  CaseListEntry,
  CaseView,
  HoldView as Hold,
  SearchCounts as Counts,
  SavedSearchView as SavedSearch,
  ReviewSetView as ReviewSet,
  CaseTagView as CaseTag,
  ReviewSetSummary,
  ReviewSetDetail,
  ReviewItemView as ReviewItem,
  ReviewPage,
} from '../../../../src/server/contract.js';

export const casesApi = (id?: number) => (id === undefined ? '/api/cases' : `/api/cases/${id}`);
export const caseRoute = (id: number) => `/cases/${id}`;
export const reviewSetApi = (id: number) => `/api/review-sets/${id}`;
export const reviewRoute = (setId?: number) => (setId === undefined ? '/review' : `/review/${setId}`);
export const reviewItemRoute = (setId: number, itemKey: string) =>
  `/review/${setId}/items/${encodeURIComponent(itemKey)}`;
