/**
 * /review/:setId: one review set as its reviewer works it: which case it belongs to, and the
 * review panel (filter by tag, tag in bulk, comment, open an item's conversation), with a search
 * within the set (a reviewer has no archive-wide search). The same
 * panel as on the case page, reached without being a member of the case.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { get } from '../../api.js';
import { ErrorBanner, Facts, Loading, Page } from '../../components/index.js';
import { ReviewSetPanel } from './review-set-panel.js';
import { ReviewSetSearch } from './review-set-search.js';
import { reviewRoute, reviewSetApi, type ReviewSetDetail } from './types.js';

export function ReviewSetPage() {
  const { t } = useTranslation('cases');
  const id = Number(useParams()['setId']);
  const [detail, setDetail] = useState<ReviewSetDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    get<ReviewSetDetail>(reviewSetApi(id)).then(setDetail, setError);
  }, [id]);
  if (error && !detail) return <ErrorBanner error={error} />;
  if (!detail) return <Loading />;
  return (
    <Page
      title={detail.name}
      subtitle={t('myReview.inCase', { name: detail.caseName })}
      actions={<Link to={reviewRoute()}>{t('myReview.back')}</Link>}
      testId="review-set-page"
    >
      <Facts
        items={[
          [t('myReview.case'), detail.caseName],
          [t('columns.status'), t(`status.${detail.caseStatus}`)],
          [t('sets.reviewers'), detail.reviewers.join(', ') || '—'],
        ]}
      />
      <ReviewSetSearch setId={id} />
      <ReviewSetPanel set={detail} />
    </Page>
  );
}
