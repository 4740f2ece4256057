/**
 * Search's public face, used by the CLI, the HTTP API and the pipeline. `Store` here is the
 * archive's store handle from store/index.ts (`openStore`).
 */
export { searchArchive, SEARCH_LIMIT_DEFAULT, SEARCH_LIMIT_MAX } from './search.js';
export type { SearchHit, SearchRequest, SearchResult } from './search.js';
export { embeddedSearchIndex, type SearchIndex } from './search-index.js';
export { documentOfMessage, searchRowOf, type MessageContext, type SearchDocument } from './document.js';
export { parseQuery } from './query-parse.js';
export type { QueryNode, FilterField } from './query-ast.js';
export { FILTER_FIELDS } from './query-ast.js';
export { tokenize, normalizeText, queryPhrase, TOKENIZER_VERSION } from './tokenize.js';
export { snippetOf, matchRanges } from './snippet.js';
export { extractAttachmentText, type ExtractedText } from './extract/index.js';
export { compilePhrases, phraseAt, type PhraseSet } from './phrase-match.js';
export { tokenizeFields } from './tokenize.js';
