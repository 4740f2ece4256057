/**
 * People -> mailboxes: the mapping CSV, mobile numbers in E.164 and the resolver the map
 * stage uses. The public face of src/mapping; other modules import from here only.
 */
export { normalizeMobile, type MobileProblemCode, type NormalizeResult } from './phone.js';
export { checkMailbox, type MailboxProblemCode, type MailboxResult } from './mailbox.js';
export { formatProblem, parseMappingCsv, type ParseOptions } from './csv.js';
export { createResolver, type Resolution, type ResolvedVia, type Resolver, type ResolverOptions } from './resolver.js';
export { MAPPING_CSV_MAX_BYTES, MAPPING_CSV_MAX_CHARS } from './limits.js';
export { checkMappingFile, formatCheckReport, type MappingCheckReport } from './check.js';
export {
  MAPPING_PARAM_VOCABULARIES,
  MAPPING_PROBLEM_CODES,
  MAPPING_PROBLEM_PARAMS,
  type MappingProblem,
  type MappingProblemCode,
  type MappingProblemParams,
  type MappingRow,
  type ParsedMapping,
  type ProblemSeverity,
  type ValueFailure,
} from './types.js';
