/**
 * /cases/:id: one eDiscovery case: its members, custodians and legal holds with what they
 * cover, its saved searches with their counts, and its review sets, one of which is opened for
 * review below. Only the case's members (and eDiscovery administrators) reach it: the API
 * refuses everyone else, and the page shows that refusal.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { get, post } from '../api.js';
import { Button, ErrorBanner, Facts, Field, Loading, Page, Section, Table, useFormat } from '../components/index.js';
import { useSession } from '../session.js';
import { HoldsSection } from './cases/holds-section.js';
import { MembersSection } from './cases/members-section.js';
import { ReviewSetPanel } from './cases/review-set-panel.js';
import { SearchesSection } from './cases/searches-section.js';
import { ExportsPanel } from './cases/exports-panel.js';
import { casesApi, type CaseDetail, type ReviewSet, type SavedSearch } from './cases/types.js';
import { useAction } from './cases/use-action.js';

export function CasePage() {
  const { t } = useTranslation('cases');
  const fmt = useFormat();
  const id = Number(useParams()['id']);
  const canWrite = useSession().can('cases:write');
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [searches, setSearches] = useState<SavedSearch[]>([]);
  const [sets, setSets] = useState<ReviewSet[]>([]);
  const [open, setOpen] = useState<number | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [setName, setSetName] = useState('');

  const load = useCallback(async () => {
    try {
      const [d, s, r] = await Promise.all([
        get<CaseDetail>(casesApi(id)),
        get<{ searches: SavedSearch[] }>(`${casesApi(id)}/searches`),
        get<{ reviewSets: ReviewSet[] }>(`${casesApi(id)}/review-sets`),
      ]);
      setDetail(d);
      setSearches(s.searches);
      setSets(r.reviewSets);
    } catch (e) {
      setLoadError(e);
    }
  }, [id]);
  useEffect(() => void load(), [load]);
  const { busy, error, act } = useAction(load);

  if (loadError && !detail) return <ErrorBanner error={loadError} onRetry={() => void load()} />;
  if (!detail) return <Loading />;
  const openSet = sets.find((s) => s.id === open);
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
          [
            t('custodians'),
            <span key="c" data-testid="case-custodians">
              {detail.custodians.join(', ') || '—'}
            </span>,
          ],
        ]}
      />
      <MembersSection detail={detail} canWrite={canWrite} reload={load} />
      <HoldsSection caseId={id} holds={detail.holds} canWrite={canWrite} reload={load} />
      <SearchesSection caseId={id} searches={searches} reviewSets={sets} canWrite={canWrite} reload={load} />
      <Section title={t('sets.title')}>
        <ErrorBanner error={error} />
        <Table
          columns={[
            { key: 'name', header: t('columns.name'), render: (s) => s.name },
            { key: 'items', header: t('sets.items'), className: 'num', render: (s) => fmt.number(s.items) },
            {
              key: 'open',
              header: '',
              render: (s) => (
                <Button testId={`set-open-${s.id}`} onClick={() => setOpen(s.id)}>
                  {t('sets.open')}
                </Button>
              ),
            },
          ]}
          rows={sets}
          rowKey={(s) => s.id}
          rowTestId={(s) => `set-${s.id}`}
          empty={t('sets.none')}
          testId="sets-table"
        />
        {canWrite ? (
          <div className="case-form">
            <Field label={t('form.name')}>
              <input data-testid="set-name" value={setName} onChange={(e) => setSetName(e.target.value)} />
            </Field>
            <Button
              busy={busy}
              testId="set-create"
              onClick={() =>
                void act(() => post(`${casesApi(id)}/review-sets`, { name: setName })).then(
                  (ok) => ok && setSetName(''),
                )
              }
            >
              {t('sets.create')}
            </Button>
          </div>
        ) : null}
      </Section>
      {openSet ? <ReviewSetPanel key={openSet.id} set={openSet} onChange={load} /> : null}
      <ExportsPanel caseId={id} searches={searches} reviewSets={sets} canWrite={canWrite} />
    </Page>
  );
}
