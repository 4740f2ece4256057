/**
 * Every connector at a glance: state, the live progress of the current run, the last run's
 * counters, lag against the source's 5-day window and the next run. Live events update the rows
 * in place; a finished run triggers a refetch so totals and next-run times are the server's.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import type { ConnectorSummary, LiveEvent } from '../../../src/server/contract.js';
import { get } from '../api.js';
import {
  Button,
  ErrorBanner,
  LagView,
  Loading,
  Notice,
  Page,
  ProgressView,
  RunStatusBadge,
  StateBadge,
  Table,
  useFormat,
  useNow,
  type Column,
} from '../components/index.js';
import { ConnectorActions } from '../components/connector-actions.js';
import { applyLiveEvent } from '../connector-updates.js';
import { tk } from '../i18n-keys.js';
import { useLiveEvents } from '../live.js';
import { useSession } from '../session.js';

export const SOURCE_LABEL: Record<ConnectorSummary['sourceKind'], string> = {
  sandbox: tk('connectors:source.sandbox'),
  wecom: tk('connectors:source.wecom'),
};

export function ConnectorsPage() {
  const { t } = useTranslation('connectors');
  const { can } = useSession();
  const navigate = useNavigate();
  const f = useFormat();
  const now = useNow();
  const [connectors, setConnectors] = useState<ConnectorSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const writable = can('connectors:write');

  const load = useCallback(async () => {
    try {
      const res = await get<{ connectors: ConnectorSummary[] }>('/api/connectors');
      setConnectors(res.connectors);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  useLiveEvents(
    (event: LiveEvent) => {
      setConnectors((list) => (list ? applyLiveEvent(list, event) : list));
      if (event.type === 'run') void load();
    },
    () => void load(),
  );

  const replace = (summary: ConnectorSummary) =>
    setConnectors((list) => list?.map((c) => (c.id === summary.id ? summary : c)) ?? list);

  const columns: Column<ConnectorSummary>[] = [
    {
      key: 'name',
      header: t('columns.connector'),
      render: (c) => (
        <div className="stack">
          <Link to={`/connectors/${encodeURIComponent(c.id)}`} data-testid={`connector-link-${c.id}`}>
            {c.name}
          </Link>
          <span className="muted mono">{c.id}</span>
        </div>
      ),
    },
    {
      key: 'source',
      header: t('columns.source'),
      render: (c) => (
        <div className="stack">
          <span>{t(SOURCE_LABEL[c.sourceKind])}</span>
          {c.origin !== 'console' ? <span className="muted">{t(`origin.${c.origin}`)}</span> : null}
        </div>
      ),
    },
    {
      key: 'state',
      header: t('columns.state'),
      render: (c) => <StateBadge connectorId={c.id} state={c.state} detail={c.stateDetail} />,
    },
    {
      key: 'progress',
      header: t('columns.progress'),
      render: (c) => <ProgressView connectorId={c.id} progress={c.progress} />,
    },
    {
      key: 'lastRun',
      header: t('columns.lastRun'),
      render: (c) =>
        c.lastRun ? (
          <div className="stack" data-testid={`last-run-${c.id}`}>
            <span>
              <RunStatusBadge run={c.lastRun} />{' '}
              <span className="muted">{f.relative(c.lastRun.finishedAt ?? c.lastRun.startedAt, now)}</span>
            </span>
            <span className="counters">
              {t('lastRun.counters', {
                archived: f.number(c.lastRun.archived),
                held: f.number(Object.values(c.lastRun.held).reduce((a, b) => a + b, 0)),
                failed: f.number(c.lastRun.failed),
              })}
            </span>
          </div>
        ) : (
          <span className="muted" data-testid={`last-run-${c.id}`}>
            {t('lastRun.never')}
          </span>
        ),
    },
    {
      key: 'lag',
      header: t('columns.lag'),
      render: (c) => <LagView connectorId={c.id} lag={c.lag} />,
    },
    {
      key: 'next',
      header: t('columns.nextRun'),
      render: (c) => (
        <span data-testid={`next-run-${c.id}`} title={f.dateTime(c.nextRunAt)}>
          {c.nextRunAt === null ? '—' : f.relative(c.nextRunAt, now)}
        </span>
      ),
    },
  ];
  if (writable) {
    columns.push({
      key: 'actions',
      header: <span className="visually-hidden">{t('columns.actions')}</span>,
      render: (c) => (
        <ConnectorActions
          connector={c}
          onUpdated={replace}
          onError={setActionError}
          onRunRequested={(id) => setNotice(t('notice.runRequested', { id }))}
        />
      ),
    });
  }

  return (
    <Page
      title={t('list.title')}
      testId="connectors-page"
      actions={
        writable ? (
          <Button variant="primary" testId="new-connector" onClick={() => navigate('/connectors/new')}>
            {t('actions.new')}
          </Button>
        ) : null
      }
    >
      <ErrorBanner error={error} onRetry={() => void load()} />
      <ErrorBanner error={actionError} testId="action-error" />
      {notice ? (
        <Notice testId="notice">
          <span>{notice}</span>
        </Notice>
      ) : null}
      {connectors === null ? (
        error ? null : (
          <Loading />
        )
      ) : (
        <Table
          testId="connectors-table"
          columns={columns}
          rows={connectors}
          rowKey={(c) => c.id}
          rowTestId={(c) => `connector-row-${c.id}`}
          empty={writable ? t('list.emptyWritable') : t('list.empty')}
        />
      )}
    </Page>
  );
}
