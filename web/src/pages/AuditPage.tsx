/**
 * /audit: who did what, to what, when and from where, newest first, in words ("Placed a legal
 * hold on mailbox ... in case “...”"), filtered by actor, kind of action and days; each row
 * opens to every detail field and its place in the hash chain. Each search is itself recorded
 * by the server.
 */
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import type { AuditListedEvent, AuditPage as AuditPageData } from '../../../src/server/contract.js';
import { get, query } from '../api.js';
import { Button, ErrorBanner, Field, Loading, Page, Table, useFormat, type Column } from '../components/index.js';
import { actorText, describeEvent, type DescribeContext } from './audit/describe.js';
import { EventDetails } from './audit/EventDetails.js';
import {
  EMPTY_FILTERS,
  filterProblem,
  filtersFromParams,
  filtersToParams,
  toApiFilter,
  type AuditFilters,
} from './audit/filters.js';
import { isOffered, KIND_GROUPS } from './audit/kind-options.js';
import { RetentionNote } from './audit/RetentionNote.js';
import { usePaged } from './mailboxes/use-request.js';
import './audit/audit.css';

const PAGE_SIZE = 50;
export function AuditPage() {
  const { t } = useTranslation('audit');
  const { t: tUsers } = useTranslation('users');
  const fmt = useFormat();
  const [cases, setCases] = useState<Record<string, string>>({});
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

  const list = usePaged<AuditListedEvent>(
    (before) =>
      get<AuditPageData>(`/api/audit${query({ ...toApiFilter(applied), before, limit: PAGE_SIZE })}`).then((p) => {
        // Older pages name more cases; the names seen so far stay.
        setCases((known) => ({ ...known, ...p.cases }));
        return { rows: p.events, next: p.next };
      }),
    [appliedKey],
  );
  const describe: DescribeContext = useMemo(
    () => ({ t, fmt, cases, roleName: (r) => tUsers(`roles.${r}.name`, { defaultValue: r }) }),
    [t, fmt, cases, tUsers],
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

  const columns: Column<AuditListedEvent>[] = [
    { key: 'at', header: t('columns.time'), className: 'audit-time', render: (e) => fmt.dateTime(e.at) },
    {
      key: 'actor',
      header: t('columns.actor'),
      render: (e) => <span title={e.actor}>{actorText(e.actor, t)}</span>,
    },
    {
      key: 'action',
      header: t('columns.action'),
      className: 'audit-action',
      render: (e) => (
        // The code and target as data, for tools and tests; people read the label.
        <span data-testid={`audit-action-${e.id}`} data-action={e.action} data-target={e.target}>
          {describeEvent(e, describe).label}
        </span>
      ),
    },
    {
      key: 'what',
      header: t('columns.what'),
      className: 'audit-what',
      render: (e) => {
        const d = describeEvent(e, describe);
        return (
          <>
            <span data-testid={`audit-says-${e.id}`}>{d.sentence}</span>
            <EventDetails e={e} details={d.details} />
          </>
        );
      },
    },
    { key: 'ip', header: t('columns.ip'), render: (e) => e.ip || '—' },
  ];

  const filtered = appliedKey !== '';
  return (
    <Page title={t('title')} subtitle={t('intro')} testId="audit-page">
      <RetentionNote />
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
        <Field label={t('filters.kind')}>
          <select value={form.action} onChange={set('action')} data-testid="audit-filter-action">
            <option value="">{t('filters.kindAll')}</option>
            {isOffered(form.action) ? null : <option value={form.action}>{form.action}</option>}
            {KIND_GROUPS.map((g) => (
              <optgroup key={g.area} label={t(`areas.${g.area}`)}>
                {g.all ? <option value={g.all}>{t('filters.kindArea', { area: t(`areas.${g.area}`) })}</option> : null}
                {g.actions.map((a) => (
                  <option key={a} value={a}>
                    {t(`actions.${a}.label`)}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </Field>
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
            <div className="audit-older">
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
