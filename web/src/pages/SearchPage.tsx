/**
 * /search: the archive's messages matching a query (the same language as the CLI and the API),
 * newest first or by relevance, 50 at a time with "More" (keyset pages: the hundredth page
 * costs what the first does). The URL holds the applied query, so a search can be reloaded,
 * bookmarked and shared with a colleague who may see the same. Every search is audited.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import type { SearchPage as SearchPageData, SearchHitInfo } from '../../../src/server/contract.js';
import { ApiFailure, get, query } from '../api.js';
import { Button, ErrorBanner, Field, Loading, Page, useFormat } from '../components/index.js';
import { usePaged } from './mailboxes/use-request.js';
import { FilterForm } from './search/FilterForm.js';
import { HitList } from './search/HitList.js';
import { SyntaxHelp } from './search/SyntaxHelp.js';
import './search/search.css';

const PAGE_SIZE = 50;
type Sort = 'newest' | 'relevance';

/** A query the server could not parse: the query with the place marked, and what was expected. */
function QueryProblem({ error, q }: { error: unknown; q: string }) {
  const { t } = useTranslation('search');
  if (!(error instanceof ApiFailure) || error.body.position === undefined) return null;
  const at = Math.min(error.body.position, q.length);
  return (
    <div className="banner banner-error query-problem" role="alert" data-testid="search-query-error">
      <p>{t('error.title', { position: at + 1, expected: error.body.expected ?? '' })}</p>
      <pre className="query-problem-text">
        {q.slice(0, at)}
        <mark data-testid="search-query-error-at">{q.slice(at, at + 1) || ' '}</mark>
        {q.slice(at + 1)}
      </pre>
    </div>
  );
}

export function SearchPage() {
  const { t } = useTranslation('search');
  const fmt = useFormat();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const sort: Sort = params.get('sort') === 'relevance' ? 'relevance' : 'newest';
  const [typed, setTyped] = useState(q);
  // When the URL changes from outside (the navigation link, history), the box follows it.
  const [shownQ, setShownQ] = useState(q);
  if (q !== shownQ) {
    setShownQ(q);
    setTyped(q);
  }
  const [total, setTotal] = useState<{ q: string; sort: Sort; n: number } | null>(null);

  const results = usePaged<SearchHitInfo>(
    async (cursor) => {
      if (!q) return { rows: [], next: null };
      const page = await get<SearchPageData>(`/api/search${query({ q, sort, cursor, limit: PAGE_SIZE })}`);
      if (!cursor) setTotal({ q, sort, n: page.total });
      return { rows: page.items, next: page.next };
    },
    [q, sort],
  );

  const apply = (nextQ: string, nextSort: Sort = sort) => {
    const next = new URLSearchParams();
    if (nextQ.trim()) next.set('q', nextQ.trim());
    if (nextSort !== 'newest') next.set('sort', nextSort);
    setParams(next);
  };
  const queryError = results.error instanceof ApiFailure && results.error.body.position !== undefined;
  const shownTotal = total && total.q === q && total.sort === sort ? total.n : null;

  return (
    <Page title={t('title')} subtitle={t('intro')} testId="search-page">
      <form
        className="search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          apply(typed);
        }}
      >
        <Field label={t('query.label')} hint={t('query.hint')}>
          <div className="search-box">
            <input
              type="search"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              placeholder={t('query.placeholder')}
              autoComplete="off"
              spellCheck={false}
              data-testid="search-query"
            />
            <Button type="submit" variant="primary" testId="search-submit">
              {t('query.submit')}
            </Button>
          </div>
        </Field>
        <SyntaxHelp />
        <FilterForm query={typed} onChange={setTyped} />
        <label className="search-sort">
          {t('sort.label')}{' '}
          <select value={sort} onChange={(e) => apply(typed, e.target.value as Sort)} data-testid="search-sort">
            <option value="newest">{t('sort.newest')}</option>
            <option value="relevance">{t('sort.relevance')}</option>
          </select>
        </label>
      </form>

      {queryError ? <QueryProblem error={results.error} q={q} /> : null}
      {!queryError ? (
        <ErrorBanner error={results.error} onRetry={results.rows.length > 0 ? results.more : results.reload} />
      ) : null}
      {!q ? (
        <p className="empty" data-testid="search-idle">
          {t('idle')}
        </p>
      ) : results.loading ? (
        <Loading label={t('searching')} />
      ) : results.error && results.rows.length === 0 ? null : (
        <>
          <p className="search-total" data-testid="search-total" data-total={shownTotal ?? ''}>
            {t('total', {
              count: shownTotal ?? results.rows.length,
              formatted: fmt.number(shownTotal ?? results.rows.length),
            })}
          </p>
          {results.rows.length === 0 ? (
            <p className="empty" data-testid="search-empty">
              {t('empty')}
            </p>
          ) : (
            <HitList hits={results.rows} />
          )}
          {results.next !== null ? (
            <div className="list-more">
              <Button onClick={results.more} busy={results.loadingMore} testId="search-more">
                {results.loadingMore ? t('loadingMore') : t('more')}
              </Button>
            </div>
          ) : null}
          <p className="muted" data-testid="search-audit-note">
            {t('auditNote')}
          </p>
        </>
      )}
    </Page>
  );
}
