/**
 * A case's saved searches with their counts (items, mailboxes, bytes, by message type), saving
 * a new one from a query in the search syntax, re-running one (the counts move as the archive
 * grows), and adding a search's current results to one of the case's review sets.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../../api.js';
import { Button, ErrorBanner, Field, Section, Table, useFormat } from '../../components/index.js';
import { casesApi, type ReviewSet, type SavedSearch } from './types.js';
import { useAction } from './use-action.js';

interface Props {
  caseId: number;
  searches: SavedSearch[];
  reviewSets: ReviewSet[];
  canWrite: boolean;
  reload: () => Promise<void>;
}

export function SearchesSection({ caseId, searches, reviewSets, canWrite, reload }: Props) {
  const { t } = useTranslation('cases');
  const fmt = useFormat();
  const { busy, error, act } = useAction(reload);
  const [form, setForm] = useState({ name: '', query: '' });
  const [target, setTarget] = useState<Record<number, string>>({});
  const [added, setAdded] = useState<{ searchId: number; added: number } | null>(null);
  const base = `${casesApi(caseId)}/searches`;

  const save = () => act(() => post(base, form)).then((ok) => ok && setForm({ name: '', query: '' }));
  const addTo = (searchId: number) => {
    const setId = target[searchId] ?? String(reviewSets[0]?.id ?? '');
    if (!setId) return;
    void act(async () => {
      const r = await post<{ added: number }>(`${casesApi(caseId)}/review-sets/${setId}/items`, { searchId });
      setAdded({ searchId, added: r.added });
    });
  };

  return (
    <Section title={t('searches.title')}>
      <ErrorBanner error={error} />
      <Table
        columns={[
          { key: 'name', header: t('columns.name'), render: (s) => s.name },
          { key: 'query', header: t('searches.columns.query'), render: (s) => <code>{s.query}</code> },
          {
            key: 'counts',
            header: t('searches.columns.counts'),
            render: (s) =>
              s.counts ? (
                <span data-testid={`search-counts-${s.id}`} data-items={s.counts.items}>
                  {t('searches.counts', {
                    items: fmt.number(s.counts.items),
                    mailboxes: fmt.number(s.counts.mailboxes),
                    bytes: fmt.bytes(s.counts.bytes),
                  })}
                  {Object.keys(s.counts.byType).length ? (
                    <span className="muted">
                      {' '}
                      (
                      {Object.entries(s.counts.byType)
                        .map(([type, n]) => `${type} ${fmt.number(n)}`)
                        .join(', ')}
                      )
                    </span>
                  ) : null}
                </span>
              ) : (
                '—'
              ),
          },
          {
            key: 'run',
            header: t('searches.columns.runAt'),
            render: (s) => (s.runAt ? fmt.dateTime(Date.parse(s.runAt)) : '—'),
          },
          {
            key: 'actions',
            header: '',
            render: (s) =>
              canWrite ? (
                <span className="case-actions">
                  <Button
                    busy={busy}
                    testId={`search-rerun-${s.id}`}
                    onClick={() => void act(() => post(`${base}/${s.id}/run`))}
                  >
                    {t('searches.rerun')}
                  </Button>
                  {reviewSets.length ? (
                    <>
                      <select
                        data-testid={`search-target-${s.id}`}
                        aria-label={t('searches.targetSet')}
                        value={target[s.id] ?? String(reviewSets[0]!.id)}
                        onChange={(e) => setTarget({ ...target, [s.id]: e.target.value })}
                      >
                        {reviewSets.map((r) => (
                          <option key={r.id} value={r.id}>
                            {r.name}
                          </option>
                        ))}
                      </select>
                      <Button busy={busy} testId={`search-add-${s.id}`} onClick={() => addTo(s.id)}>
                        {t('searches.addToSet')}
                      </Button>
                    </>
                  ) : null}
                  {added?.searchId === s.id ? (
                    <span data-testid={`search-added-${s.id}`} data-added={added.added}>
                      {t('searches.added', { count: added.added })}
                    </span>
                  ) : null}
                </span>
              ) : null,
          },
        ]}
        rows={searches}
        rowKey={(s) => s.id}
        rowTestId={(s) => `search-${s.id}`}
        empty={t('searches.none')}
        testId="searches-table"
      />
      {canWrite ? (
        <div className="case-form">
          <Field label={t('form.name')}>
            <input
              data-testid="search-name"
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
            />
          </Field>
          <Field label={t('searches.query')} hint={t('searches.queryHint')}>
            <input
              data-testid="search-query-input"
              value={form.query}
              onChange={(e) => setForm({ ...form, query: e.target.value })}
            />
          </Field>
          <Button variant="primary" busy={busy} testId="search-save" onClick={() => void save()}>
            {t('searches.save')}
          </Button>
        </div>
      ) : null}
    </Section>
  );
}
