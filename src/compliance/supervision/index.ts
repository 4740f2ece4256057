/** Supervision's public face, for the pipeline, the CLI and the HTTP API. */
export { parseLexicon, formatLexicon, lexiconIsEmpty } from './lexicon.js';
export { conditionsOf, compilePolicy, type CompiledPolicy, type PolicyConditions, type PolicyInput } from './policy.js';
export { flagsFor, sampled, supervisedTokens } from './flag.js';
export {
  createSupervisionPolicy,
  changeSupervisionPolicy,
  getPolicy,
  listPolicies,
  loadActivePolicies,
  type SupervisionPolicy,
  type PolicyChange,
} from './policies.js';
export { applyPolicyToHistory, type ApplyProgress, type ApplySummary } from './apply.js';
export {
  reviewItem,
  historyOf,
  flagOf,
  queueItemOf,
  REVIEW_TAGS,
  type ReviewAction,
  type ReviewTag,
} from './review.js';
export { supervisionReport, type SupervisionReport } from './report.js';
