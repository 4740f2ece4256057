/** The one error a bad query gets: where it went wrong and what was expected there. */
import { ArchiverError } from '../../core/errors.js';

export function queryError(position: number, expected: string, found?: string): ArchiverError {
  const what = found === undefined ? '' : `, found ${found}`;
  return new ArchiverError(
    'WXA_SEARCH_QUERY_INVALID',
    `search query, position ${position}: expected ${expected}${what}`,
    { details: { position, expected } },
  );
}
