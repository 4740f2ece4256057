/**
 * /review: "My review", the review sets assigned to the signed-in user across every case, with
 * how far each has been tagged. A Reviewer reaches review only through this page: they are not
 * members of the cases, and the API refuses them every set they are not assigned to.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { get } from '../../api.js';
import { ErrorBanner, Loading, Page, Section, Table, useFormat } from '../../components/index.js';
import { reviewRoute, type ReviewSetSummary } from './types.js';

export function MyReviewPage() {
  const { t } = useTranslation('cases');
  const fmt = useFormat();
  const [sets, setSets] = useState<ReviewSetSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(async () => {
    try {
      setError(null);
      setSets((await get<{ reviewSets: ReviewSetSummary[] }>('/api/review-sets')).reviewSets);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => void load(), [load]);
  return (
    <Page title={t('myReview.title')} subtitle={t('myReview.intro')} testId="my-review-page">
      <ErrorBanner error={error} onRetry={() => void load()} />
      <Section title={t('myReview.sets')}>
        {sets === null ? (
          <Loading />
        ) : (
          <Table
            columns={[
              {
                key: 'set',
                header: t('myReview.set'),
                render: (s) => (
                  <Link to={reviewRoute(s.id)} data-testid={`my-set-link-${s.id}`}>
                    {s.name}
                  </Link>
                ),
              },
              { key: 'case', header: t('myReview.case'), render: (s) => s.caseName },
              {
                key: 'status',
                header: t('columns.status'),
                render: (s) => <span data-status={s.caseStatus}>{t(`status.${s.caseStatus}`)}</span>,
              },
              {
                key: 'progress',
                header: t('myReview.progress'),
                render: (s) => t('myReview.tagged', { tagged: fmt.number(s.tagged), items: fmt.number(s.items) }),
              },
            ]}
            rows={sets}
            rowKey={(s) => s.id}
            rowTestId={(s) => `my-set-${s.id}`}
            empty={t('myReview.none')}
            testId="my-review-table"
          />
        )}
      </Section>
    </Page>
  );
}
