/**
 * /audit: who did what, to what, when and from where, newest first, filtered by actor, action
 * (exact or a 'item.*' prefix) and days. Each search is itself recorded by the server.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import type { AuditEvent, AuditPage as AuditPageData } from '../../../src/server/contract.js';
import { get, query } from '../api.js';
import { Button, ErrorBanner, Field, Loading, Page, Table, useFormat, type Column } from '../components/index.js';
import {
  compactDetail,
  EMPTY_FILTERS,
  filterProblem,
  filtersFromParams,
  filtersToParams,
  toApiFilter,
  type AuditFilters,
} from './audit/filters.js';
import { usePaged } from './mailboxes/use-request.js';
import './audit/audit.css';

const PAGE_SIZE = 50;
/** Offered in the action box; any other action or prefix can still be typed. */
const COMMON_ACTIONS = [
  'item.*',
  'item.view',
  'item.attachment',
  'auth.*',
  'auth.login',
  'user.*',
  'connector.*',
  'problems.*',
  'audit.search',
];

export function AuditPage() {
  const { t } = useTranslation('audit');
  const fmt = useFormat();
  const [params, setParams] = useSearchParams();
  const applied = filtersFromParams(params);
  const appliedKey = filtersToParams(applied).toString();
  const [form, setForm] = useState<AuditFilters>(applied);
  const [shownKey, setShownKey] = useState(appliedKey);
  // The form follows the URL when it changes from outside (history, the navigation link).
  if (appliedKey !== shownKey) {
    setShownKey(appliedKey);
    setForm(applied);
  }
  const problem = filterProblem(form);

  const list = usePaged<AuditEvent>(
    (before) =>
      get<AuditPageData>(`/api/audit${query({ ...toApiFilter(applied), before, limit: PAGE_SIZE })}`).then((p) => ({
        rows: p.events,
        next: p.next,
      })),
    [appliedKey],
  );

  const set = (field: keyof AuditFilters) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [field]: e.target.value }));

  function apply() {
    if (problem) return;
    const next = filtersToParams(form);
    // Applying the same filters again is a refresh.
    if (next.toString() === appliedKey) list.reload();
    else setParams(next);
  }

  const columns: Column<AuditEvent>[] = [
    { key: 'at', header: t('columns.time'), className: 'audit-time', render: (e) => fmt.dateTime(e.at) },
    { key: 'actor', header: t('columns.actor'), render: (e) => e.actor },
    { key: 'action', header: t('columns.action'), render: (e) => <code>{e.action}</code> },
    { key: 'target', header: t('columns.target'), className: 'audit-target', render: (e) => e.target || '—' },
    {
      key: 'detail',
      header: t('columns.detail'),
      render: (e) => {
        const json = compactDetail(e.detail);
        return json ? (
          <code className="audit-detail" title={json}>
            {json}
          </code>
        ) : (
          '—'
        );
      },
    },
    { key: 'ip', header: t('columns.ip'), render: (e) => e.ip || '—' },
  ];

  const filtered = appliedKey !== '';
  return (
    <Page title={t('title')} subtitle={t('intro')} testId="audit-page">
      <form
        className="audit-filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <Field label={t('filters.actor')}>
          <input
            value={form.actor}
            onChange={set('actor')}
            placeholder={t('filters.actorPlaceholder')}
            autoComplete="off"
            data-testid="audit-filter-actor"
          />
        </Field>
        <Field label={t('filters.action')} hint={t('filters.actionHint')}>
          <input
            value={form.action}
            onChange={set('action')}
            placeholder="item.*"
            list="audit-actions"
            autoComplete="off"
            data-testid="audit-filter-action"
          />
        </Field>
        <datalist id="audit-actions">
          {COMMON_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <Field label={t('filters.from')} error={problem === 'badFrom' ? t('filters.badDay') : undefined}>
          <input type="date" value={form.from} onChange={set('from')} data-testid="audit-filter-from" />
        </Field>
        <Field
          label={t('filters.to')}
          hint={t('filters.toHint')}
          error={
            problem === 'badTo' ? t('filters.badDay') : problem === 'fromAfterTo' ? t('filters.fromAfterTo') : undefined
          }
        >
          <input type="date" value={form.to} onChange={set('to')} data-testid="audit-filter-to" />
        </Field>
        <div className="audit-filter-buttons">
          <Button type="submit" variant="primary" disabled={problem !== null} testId="audit-apply">
            {t('filters.apply')}
          </Button>
          {filtered ? (
            <Button
              onClick={() => {
                setForm(EMPTY_FILTERS);
                setParams(new URLSearchParams());
              }}
              testId="audit-clear"
            >
              {t('filters.clear')}
            </Button>
          ) : null}
        </div>
      </form>

      <ErrorBanner error={list.error} onRetry={list.rows.length > 0 ? list.more : list.reload} testId="audit-error" />
      {list.loading ? (
        <Loading label={t('loading')} />
      ) : list.error && list.rows.length === 0 ? null : (
        <>
          <Table
            testId="audit-table"
            columns={columns}
            rows={list.rows}
            rowKey={(e) => e.id}
            rowTestId={(e) => `audit-row-${e.id}`}
            empty={<span data-testid="audit-empty">{filtered ? t('noMatch') : t('empty')}</span>}
          />
          {list.next !== null ? (
            <div className="audit-more">
              <Button onClick={list.more} busy={list.loadingMore} testId="audit-older">
                {list.loadingMore ? t('loadingMore') : t('older')}
              </Button>
            </div>
          ) : null}
        </>
      )}
    </Page>
  );
}
