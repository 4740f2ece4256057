/**
 * /problems: everything held back, grouped by reason with what to do about it, and the people
 * who map to no mailbox with a form to map them. Refreshes itself when a run finishes, since a
 * run is what turns released items into archived ones.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import type { ConnectorSummary, ProblemReason, ProblemsResponse } from '../../../src/server/contract.js';
import { get, query } from '../api.js';
import { Button, ErrorBanner, Field, Loading, Notice, Page, Section, useFormat } from '../components/index.js';
import { useLiveEvents } from '../live.js';
import { useSession } from '../session.js';
import { useLoad } from './mailboxes/use-request.js';
import { PartialDeliveries, PausedDeliveries } from './problems/delivery-tables.js';
import { ProblemGroupCard } from './problems/problem-group-card.js';
import { mergeGroups, REASON_TEXT } from './problems/reasons.js';
import { UnmappedTable, type AddedMapping } from './problems/unmapped-table.js';
import './problems/problems.css';

export function ProblemsPage() {
  const { t } = useTranslation('problems');
  const fmt = useFormat();
  const { can } = useSession();
  const canWrite = can('problems:write');
  const [params, setParams] = useSearchParams();
  const connectorId = params.get('connector') ?? '';
  const [released, setReleased] = useState<{ reason: ProblemReason; count: number }[]>([]);
  const [added, setAdded] = useState<AddedMapping | null>(null);

  const connectors = useLoad(() => get<{ connectors: ConnectorSummary[] }>('/api/connectors'), []);
  const problems = useLoad(
    () => get<ProblemsResponse>(`/api/problems${query({ connectorId: connectorId || undefined })}`),
    [connectorId],
  );
  const reload = problems.reload;

  // A finished run archives what was released; the counts on this page change with it.
  useLiveEvents((event) => {
    if (event.type === 'run' && event.data.finishedAt !== null) reload();
  }, reload);

  function selectConnector(id: string) {
    const next = new URLSearchParams(params);
    if (id) next.set('connector', id);
    else next.delete('connector');
    setParams(next, { replace: true });
  }

  const data = problems.data;
  const groups = data ? mergeGroups(data.groups) : [];

  return (
    <Page
      title={t('title')}
      subtitle={t('intro')}
      testId="problems-page"
      actions={
        <Button onClick={reload} busy={problems.loading && data !== undefined} testId="problems-refresh">
          {t('refresh')}
        </Button>
      }
    >
      <div className="problems-toolbar">
        <Field label={t('filter.connector')}>
          <select
            value={connectorId}
            onChange={(e) => selectConnector(e.target.value)}
            data-testid="problems-connector-filter"
          >
            <option value="">{t('filter.all')}</option>
            {(connectors.data?.connectors ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name === c.id ? c.id : `${c.name} (${c.id})`}
              </option>
            ))}
            {connectorId && connectors.data && !connectors.data.connectors.some((c) => c.id === connectorId) ? (
              <option value={connectorId}>{connectorId}</option>
            ) : null}
          </select>
        </Field>
      </div>

      {released.map((r) => (
        <Notice key={r.reason} tone="ok" testId={`problem-released-${r.reason}`}>
          {t('action.released', {
            count: r.count,
            reason: REASON_TEXT[r.reason] ? t(REASON_TEXT[r.reason].title) : r.reason,
          })}
        </Notice>
      ))}
      {added ? (
        <Notice tone="ok" testId="unmapped-added">
          {t('unmapped.added', {
            participant: added.participant,
            mailbox: added.mailbox,
            count: added.released,
            released: fmt.number(added.released),
          })}
        </Notice>
      ) : null}

      <ErrorBanner error={problems.error} onRetry={reload} context={t('loadFailed')} testId="problems-error" />
      {data === undefined && problems.loading ? <Loading label={t('loading')} /> : null}

      {data ? (
        <>
          <Section title={t('groups.title')}>
            {groups.length === 0 ? (
              <p className="empty" data-testid="problems-empty">
                {t('groups.empty')}
              </p>
            ) : (
              <div className="problem-cards">
                {groups.map((g) => (
                  <ProblemGroupCard
                    key={g.reason}
                    group={g}
                    canWrite={canWrite}
                    onReleased={(count) => {
                      setReleased((prev) => [
                        ...prev.filter((p) => p.reason !== g.reason),
                        { reason: g.reason, count },
                      ]);
                      reload();
                    }}
                  />
                ))}
              </div>
            )}
          </Section>
          <Section title={t('paused.title')}>
            <p className="unmapped-intro">{t('paused.intro')}</p>
            <PausedDeliveries rows={data.paused ?? []} />
          </Section>
          <Section title={t('partial.title')}>
            <p className="unmapped-intro">{t('partial.intro')}</p>
            <PartialDeliveries rows={data.partial ?? []} />
          </Section>
          <Section title={t('unmapped.title')}>
            <p className="unmapped-intro">{t('unmapped.intro')}</p>
            <UnmappedTable
              people={data.unmapped}
              canWrite={canWrite}
              onAdded={(a) => {
                setAdded(a);
                reload();
              }}
            />
          </Section>
        </>
      ) : null}
    </Page>
  );
}
