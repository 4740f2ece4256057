/**
 * /cases: the eDiscovery cases the user works (managers see the cases they are members of,
 * eDiscovery administrators every case), active ones first shown, filtered by status, and a
 * form to open a new one; its creator becomes its first member.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { get, post, query } from '../api.js';
import { Button, ErrorBanner, Field, Loading, Page, Section, Table, useFormat } from '../components/index.js';
import { useSession } from '../session.js';
import { caseRoute, casesApi, type CaseListEntry, type CaseView } from './cases/types.js';
import { useAction } from './cases/use-action.js';

export function CasesPage() {
  const { t } = useTranslation('cases');
  const fmt = useFormat();
  const session = useSession();
  const navigate = useNavigate();
  const [cases, setCases] = useState<CaseListEntry[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [form, setForm] = useState({ name: '', description: '' });
  const [status, setStatus] = useState<'active' | 'closed' | 'all'>('active');
  const load = useCallback(async () => {
    try {
      setLoadError(null);
      setCases((await get<{ cases: CaseListEntry[] }>(`${casesApi()}${query({ status })}`)).cases);
    } catch (e) {
      setLoadError(e);
    }
  }, [status]);
  useEffect(() => void load(), [load]);
  const { busy, error, act } = useAction(load);

  const create = () =>
    act(async () => {
      const c = await post<CaseView>(casesApi(), {
        name: form.name,
        ...(form.description ? { description: form.description } : {}),
      });
      navigate(caseRoute(c.id));
    });

  return (
    <Page title={t('title')} subtitle={session.can('cases:all') ? t('introAll') : t('introMember')} testId="cases-page">
      <ErrorBanner error={loadError} onRetry={() => void load()} />
      <Section title={t('list')}>
        <label className="case-actions">
          {t('statusFilter.label')}{' '}
          <select
            data-testid="cases-status-filter"
            value={status}
            onChange={(e) => setStatus(e.target.value as 'active' | 'closed' | 'all')}
          >
            <option value="active">{t('statusFilter.active')}</option>
            <option value="closed">{t('statusFilter.closed')}</option>
            <option value="all">{t('statusFilter.all')}</option>
          </select>
        </label>
        {cases === null ? (
          <Loading />
        ) : (
          <Table
            columns={[
              {
                key: 'name',
                header: t('columns.name'),
                render: (c) => (
                  <Link to={caseRoute(c.id)} data-testid={`case-link-${c.id}`}>
                    {c.name}
                  </Link>
                ),
              },
              {
                key: 'status',
                header: t('columns.status'),
                render: (c) => (
                  <span data-testid={`case-status-${c.id}`} data-status={c.status}>
                    {t(`status.${c.status}`)}
                  </span>
                ),
              },
              {
                key: 'member',
                header: t('columns.membership'),
                render: (c) => (
                  <span data-testid={`case-member-${c.id}`} data-member={c.member ? 'yes' : 'no'}>
                    {c.member ? t('member.yes') : t('member.no')}
                  </span>
                ),
              },
              { key: 'by', header: t('columns.createdBy'), render: (c) => c.createdBy },
              { key: 'at', header: t('columns.createdAt'), render: (c) => fmt.dateTime(Date.parse(c.createdAt)) },
            ]}
            rows={cases}
            rowKey={(c) => c.id}
            rowTestId={(c) => `case-row-${c.id}`}
            empty={t('noCases')}
            testId="cases-table"
          />
        )}
      </Section>
      {session.can('cases:write') ? (
        <Section title={t('create')}>
          <ErrorBanner error={error} />
          <Field label={t('form.name')}>
            <input
              data-testid="case-name"
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
            />
          </Field>
          <Field label={t('form.description')}>
            <textarea
              data-testid="case-description"
              value={form.description}
              onChange={(e) => setForm({ ...form, description: e.target.value })}
            />
          </Field>
          <Button variant="primary" busy={busy} testId="case-create" onClick={() => void create()}>
            {t('create')}
          </Button>
        </Section>
      ) : null}
    </Page>
  );
}
