/**
 * /cases/:id: one eDiscovery case: its status (closing, reopening), members, custodians and
 * legal holds with what they cover, its saved searches with their counts, its review tags, and
 * its review sets with their reviewers, one of which is opened for review below. Only the case's
 * members (and eDiscovery administrators) reach it: the API refuses everyone else, and the page
 * shows that refusal. A closed case is shown read-only.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { get } from '../api.js';
import { ErrorBanner, Facts, Loading, Page, useFormat } from '../components/index.js';
import { useSession } from '../session.js';
import { HoldsSection } from './cases/holds-section.js';
import { MembersSection } from './cases/members-section.js';
import { ReviewSetPanel } from './cases/review-set-panel.js';
import { SearchesSection } from './cases/searches-section.js';
import { SetsSection } from './cases/sets-section.js';
import { StatusSection } from './cases/status-section.js';
import { TagsSection } from './cases/tags-section.js';
import { casesApi, type CaseDetail, type CaseTag, type ReviewSet, type SavedSearch } from './cases/types.js';

export function CasePage() {
  const { t } = useTranslation('cases');
  const fmt = useFormat();
  const id = Number(useParams()['id']);
  const session = useSession();
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [searches, setSearches] = useState<SavedSearch[]>([]);
  const [sets, setSets] = useState<ReviewSet[]>([]);
  const [tags, setTags] = useState<CaseTag[]>([]);
  const [open, setOpen] = useState<number | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);

  const load = useCallback(async () => {
    try {
      const [d, s, r, g] = await Promise.all([
        get<CaseDetail>(casesApi(id)),
        get<{ searches: SavedSearch[] }>(`${casesApi(id)}/searches`),
        get<{ reviewSets: ReviewSet[] }>(`${casesApi(id)}/review-sets`),
        get<{ tags: CaseTag[] }>(`${casesApi(id)}/tags`),
      ]);
      setDetail(d);
      setSearches(s.searches);
      setSets(r.reviewSets);
      setTags(g.tags);
    } catch (e) {
      setLoadError(e);
    }
  }, [id]);
  useEffect(() => void load(), [load]);

  if (loadError && !detail) return <ErrorBanner error={loadError} onRetry={() => void load()} />;
  if (!detail) return <Loading />;
  const openSet = sets.find((s) => s.id === open);
  // A closed case is read-only: every form that changes it is hidden until it is reopened.
  const canWrite = session.can('cases:write') && detail.status === 'active';
  return (
    <Page
      title={detail.name}
      subtitle={detail.description || undefined}
      actions={<Link to="/cases">{t('back')}</Link>}
      testId="case-page"
    >
      <Facts
        items={[
          [
            t('columns.status'),
            <span key="s" data-testid="case-status" data-status={detail.status}>
              {t(`status.${detail.status}`)}
            </span>,
          ],
          [t('columns.createdBy'), detail.createdBy],
          [t('columns.createdAt'), fmt.dateTime(Date.parse(detail.createdAt))],
          ...(detail.closedAt
            ? [[t('columns.closedAt'), fmt.dateTime(Date.parse(detail.closedAt))] as [string, string]]
            : []),
          [
            t('custodians'),
            <span key="c" data-testid="case-custodians">
              {detail.custodians.join(', ') || '—'}
            </span>,
          ],
        ]}
      />
      <StatusSection detail={detail} canWrite={session.can('cases:write')} reload={load} />
      {/* Membership still changes on a closed case: it grants reading the case, not changing it. */}
      <MembersSection detail={detail} canWrite={session.can('cases:write')} reload={load} />
      <HoldsSection caseId={id} holds={detail.holds} canWrite={canWrite} reload={load} />
      <SearchesSection caseId={id} searches={searches} reviewSets={sets} canWrite={canWrite} reload={load} />
      <TagsSection caseId={id} tags={tags} canManage={canWrite && session.can('cases:tags')} reload={load} />
      <SetsSection caseId={id} sets={sets} canWrite={canWrite} onOpen={setOpen} reload={load} />
      {openSet ? (
        <ReviewSetPanel key={openSet.id} set={openSet} tags={tags} readOnly={!canWrite} onChange={load} />
      ) : null}
      <p className="muted" data-testid="case-export-note">
        {t('exportNote')}
      </p>
    </Page>
  );
}
