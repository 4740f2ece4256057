/**
 * A search within one review set, in the search syntax: what a reviewer has instead of the
 * archive-wide search (the server answers only the set's items, and audits each search). Each
 * hit shows its time, sender and snippet and opens its conversation through the set.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { SearchPage } from '../../../../src/server/contract.js';
import { get, query } from '../../api.js';
import { Button, ErrorBanner, Section, useFormat } from '../../components/index.js';
import { reviewItemRoute, reviewSetApi } from './types.js';

export function ReviewSetSearch({ setId }: { setId: number }) {
  const { t } = useTranslation('cases');
  const fmt = useFormat();
  const [q, setQ] = useState('');
  const [result, setResult] = useState<SearchPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function run() {
    setBusy(true);
    setError(null);
    try {
      setResult(await get<SearchPage>(`${reviewSetApi(setId)}/search${query({ q, limit: 100 })}`));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title={t('setSearch.title')}>
      <form
        className="add-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (q.trim()) void run();
        }}
      >
        <input
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder={t('setSearch.placeholder')}
          aria-label={t('setSearch.title')}
          data-testid="set-search-input"
        />
        <Button type="submit" variant="primary" busy={busy} disabled={!q.trim()} testId="set-search-run">
          {t('setSearch.run')}
        </Button>
      </form>
      <ErrorBanner error={error} />
      {result ? (
        <>
          <p data-testid="set-search-total" data-total={result.total}>
            {t('setSearch.total', { total: fmt.number(result.total) })}
          </p>
          <ol className="hit-list" data-testid="set-search-results">
            {result.items.map((hit) => (
              <li key={hit.itemKey} className="hit" data-testid={`set-hit-${hit.msgid}`}>
                <span className="muted">{fmt.dateTime(Date.parse(hit.time))}</span>{' '}
                <strong>{hit.from.name ?? hit.from.id}</strong> <span>{hit.snippet}</span>{' '}
                <Link to={reviewItemRoute(setId, hit.itemKey)} data-testid="set-hit-conversation">
                  {t('myReview.conversation')}
                </Link>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </Section>
  );
}
