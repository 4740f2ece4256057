/**
 * One connector: what it is, how far behind it is, which secrets are stored, and its run history
 * with every report counter. Console-defined connectors open in the wizard for editing; those from
 * the configuration file are read-only here because the file would overwrite any change.
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { ConnectorDetail, ConnectorSummary, LiveEvent, RunSummary } from '../../../src/server/contract.js';
import { ApiFailure, get, query } from '../api.js';
import {
  Button,
  ErrorBanner,
  Facts,
  LagView,
  Loading,
  Notice,
  Page,
  ProgressView,
  Section,
  StateBadge,
  StatusBadge,
  Table,
  useFormat,
  useNow,
} from '../components/index.js';
import { ConnectorActions } from '../components/connector-actions.js';
import { applyToConnector, upsertRun } from '../connector-updates.js';
import { useLiveEvents } from '../live.js';
import { useSession } from '../session.js';
import { SOURCE_LABEL } from './ConnectorsPage.js';
import { DESTINATION_LABEL } from './wizard/labels.js';
import { runColumns } from './connector/run-columns.js';

const PAGE_SIZE = 20;

interface RunsResponse {
  runs: RunSummary[];
  next: string | number | null;
}

export function ConnectorPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation('connectors');
  const { can } = useSession();
  const navigate = useNavigate();
  const f = useFormat();
  const now = useNow();
  const [detail, setDetail] = useState<ConnectorDetail | null>(null);
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [next, setNext] = useState<string | number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const base = `/api/connectors/${encodeURIComponent(id)}`;

  const load = useCallback(async () => {
    try {
      const d = await get<ConnectorDetail>(base);
      setDetail(d);
      setRuns((shown) => d.runs.reduce(upsertRun, shown));
      setNext((n) => n ?? d.runsNext);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [base]);

  useEffect(() => {
    setDetail(null);
    setRuns([]);
    setNext(null);
    void load();
  }, [load]);

  useLiveEvents(
    (event: LiveEvent) => {
      setDetail((d) => (d ? applyToConnector(d, event) : d));
      if (event.type === 'run' && event.data.connectorId === id) {
        setRuns((r) => upsertRun(r, event.data));
        void load();
      }
    },
    () => void load(),
  );

  async function loadMore() {
    if (next === null) return;
    setLoadingMore(true);
    try {
      const res = await get<RunsResponse>(`${base}/runs${query({ before: next, limit: PAGE_SIZE })}`);
      setRuns((r) => res.runs.reduce(upsertRun, r));
      setNext(res.next);
    } catch (e) {
      setError(e);
    } finally {
      setLoadingMore(false);
    }
  }

  if (!detail) {
    const missing = error instanceof ApiFailure && error.status === 404;
    return (
      <Page title={t('detail.title')} testId="connector-page">
        {missing ? <Notice tone="warning">{t('detail.notFound', { id })}</Notice> : null}
        {!missing ? <ErrorBanner error={error} onRetry={() => void load()} /> : null}
        {!error ? <Loading /> : null}
      </Page>
    );
  }

  const writable = can('connectors:write');
  const editable = writable && detail.origin === 'console';
  const def = detail.definition;
  const updated = (s: ConnectorSummary) => setDetail((d) => (d ? { ...d, ...s } : d));

  const columns = runColumns(t, f);

  const secretNames = Object.keys(detail.secrets).sort();
  // Stored secret names: archiveSecret, proxyPassword, privateKeys.<version>, destinations.<index>.
  const secretLabel = (name: string): string => {
    const [group, part] = name.split('.', 2);
    if (group === 'privateKeys' && part) return t('secret.privateKey', { version: part });
    if (group === 'destinations' && part) {
      const kind = def.destinations[Number(part)]?.kind;
      return t('secret.destination', { index: part, kind: kind ? t(DESTINATION_LABEL[kind]) : '' });
    }
    return t(`secret.${name}`, { defaultValue: name });
  };

  return (
    <Page
      title={detail.name}
      subtitle={<span className="mono">{detail.id}</span>}
      testId="connector-page"
      actions={
        <>
          {writable ? (
            <ConnectorActions
              connector={detail}
              onUpdated={updated}
              onError={setActionError}
              onRunRequested={() => setNotice(t('notice.runRequested', { id: detail.id }))}
            />
          ) : null}
          {editable ? (
            <Button testId="connector-edit" onClick={() => navigate(`/connectors/${encodeURIComponent(id)}/edit`)}>
              {t('actions.edit')}
            </Button>
          ) : null}
        </>
      }
    >
      <ErrorBanner error={error} onRetry={() => void load()} />
      <ErrorBanner error={actionError} testId="action-error" />
      {notice ? <Notice testId="notice">{notice}</Notice> : null}
      {detail.origin !== 'console' ? (
        <Notice testId="connector-readonly-note">
          {t(detail.origin === 'demo' ? 'detail.readOnlyDemo' : 'detail.readOnly')}
        </Notice>
      ) : null}

      <Section title={t('detail.summary')}>
        <div data-testid="connector-summary">
          <Facts
            items={[
              [
                t('columns.state'),
                <StateBadge connectorId={detail.id} state={detail.state} detail={detail.stateDetail} />,
              ],
              [t('columns.progress'), <ProgressView connectorId={detail.id} progress={detail.progress} />],
              [t('columns.source'), t(SOURCE_LABEL[detail.sourceKind])],
              ...(def.source.kind === 'wecom'
                ? ([[t('detail.corpId'), <span className="mono">{def.source.corpId}</span>]] as [
                    ReactNode,
                    ReactNode,
                  ][])
                : []),
              [t('detail.origin'), t(`origin.${detail.origin}`)],
              [t('columns.lag'), <LagView connectorId={detail.id} lag={detail.lag} />],
              [t('detail.newestMessage'), f.dateTime(detail.lag.newestMessageAt)],
              [t('detail.lastSuccess'), f.dateTime(detail.lag.lastSuccessAt)],
              [t('detail.interval'), f.duration(detail.intervalSeconds * 1000)],
              [
                t('columns.nextRun'),
                <span data-testid={`next-run-${detail.id}`}>
                  {detail.nextRunAt === null
                    ? '—'
                    : `${f.relative(detail.nextRunAt, now)} (${f.dateTime(detail.nextRunAt)})`}
                </span>,
              ],
              [t('detail.destinations'), def.destinations.map((d) => t(DESTINATION_LABEL[d.kind])).join(', ') || '—'],
              [
                t('detail.mapping'),
                [
                  def.mapping.autoFromDirectoryEmail ? t('detail.mappingAuto') : null,
                  def.mapping.csvFileName ? t('detail.mappingCsv', { file: def.mapping.csvFileName }) : null,
                  def.mapping.catchAll ? t('detail.mappingCatchAll', { address: def.mapping.catchAll }) : null,
                ]
                  .filter(Boolean)
                  .join(' · ') || t('detail.mappingNone'),
              ],
              [
                t('detail.records'),
                <span data-testid={`records-${detail.id}`}>
                  {t('detail.recordsValue', {
                    atSource: f.number(detail.counters.atSource),
                    archived: f.number(detail.counters.archived),
                    duplicates: f.number(detail.counters.duplicates),
                    held: f.number(detail.counters.heldTotal),
                    failed: f.number(detail.counters.failed),
                    pending: f.number(detail.counters.pending),
                    entries: f.number(detail.counters.afterFanOut),
                  })}
                </span>,
              ],
              ...detail.destinations.map(
                (d) =>
                  [
                    t('detail.deliveries', { destination: d.destinationId }),
                    <span data-testid={`deliveries-${d.destinationId}`}>
                      {t('detail.deliveriesValue', {
                        delivered: f.number(d.delivered),
                        partial: f.number(d.partial),
                        duplicates: f.number(d.duplicates),
                        pending: f.number(d.pending),
                        held: f.number(d.held),
                      })}
                    </span>,
                  ] as [ReactNode, ReactNode],
              ),
              [
                t('detail.totals'),
                <span>
                  {t('detail.totalsValue', {
                    items: f.number(detail.totals.items),
                    held: f.number(detail.totals.held),
                    failed: f.number(detail.totals.failedDeliveries),
                  })}
                  {detail.totals.held > 0 && can('problems:read') ? (
                    <>
                      {' '}
                      <Link to={`/problems${query({ connector: detail.id })}`}>{t('detail.seeProblems')}</Link>
                    </>
                  ) : null}
                </span>,
              ],
            ]}
          />
        </div>
      </Section>

      <Section title={t('detail.secrets')}>
        {secretNames.length === 0 ? (
          <p className="muted">{t('detail.noSecrets')}</p>
        ) : (
          <ul className="secrets" data-testid="connector-secrets">
            {secretNames.map((name) => (
              <li key={name} data-testid={`secret-${name}`} data-status={detail.secrets[name]}>
                <span>{secretLabel(name)}</span>
                <StatusBadge tone={detail.secrets[name] === 'set' ? 'ok' : 'warning'}>
                  {detail.secrets[name] === 'set' ? t('secretStatus.set') : t('secretStatus.unset')}
                </StatusBadge>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section title={t('runs.title')}>
        <Table
          testId="runs-table"
          columns={columns}
          rows={runs}
          rowKey={(r) => r.id}
          rowTestId={(r) => `run-row-${r.id}`}
          empty={t('runs.empty')}
        />
        {next !== null ? (
          <Button testId="runs-more" busy={loadingMore} onClick={() => void loadMore()}>
            {t('runs.more')}
          </Button>
        ) : null}
      </Section>
    </Page>
  );
}
