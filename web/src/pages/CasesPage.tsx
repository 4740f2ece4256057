/**
 * /cases: the eDiscovery cases the user works (managers see the cases they are members of,
 * eDiscovery administrators every case), and a form to open a new one; its creator becomes its
 * first member.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { get, post } from '../api.js';
import { Button, ErrorBanner, Field, Loading, Page, Section, Table, useFormat } from '../components/index.js';
import { useSession } from '../session.js';
import { caseRoute, casesApi, type CaseView } from './cases/types.js';
import { useAction } from './cases/use-action.js';

export function CasesPage() {
  const { t } = useTranslation('cases');
  const fmt = useFormat();
  const session = useSession();
  const navigate = useNavigate();
  const [cases, setCases] = useState<CaseView[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [form, setForm] = useState({ name: '', description: '' });
  const load = useCallback(async () => {
    try {
      setCases((await get<{ cases: CaseView[] }>(casesApi())).cases);
    } catch (e) {
      setLoadError(e);
    }
  }, []);
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
              { key: 'status', header: t('columns.status'), render: (c) => t(`status.${c.status}`) },
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
