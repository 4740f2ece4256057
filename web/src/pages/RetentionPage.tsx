/**
 * /retention: retention policies (create, lock after an explicit confirmation), a dry run of
 * disposition, and the disposition review queue where a batch's named reviewer approves or
 * postpones it. Copies already delivered to IMAP, Microsoft 365 or Gmail are outside the
 * archive's control, and the page says so.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, post } from '../api.js';
import {
  Button,
  ErrorBanner,
  Field,
  Loading,
  Page,
  Section,
  Table,
  useFormat,
  type Column,
} from '../components/index.js';
import { useSession } from '../session.js';

interface Policy {
  id: string;
  name: string;
  period: { value: number; unit: 'days' | 'years' };
  action: 'delete' | 'review';
  scope: { mailboxes: string[] };
  reviewer: string | null;
  enabled: boolean;
  locked: boolean;
}

interface Batch {
  id: number;
  policy_id: string;
  reviewer: string | null;
  status: string;
  created_at: number;
  entries: number;
  postponed_until: number | null;
}

interface DryRun {
  deleted: number;
  keptByHold: number;
  waitingForReview: number;
  retained: number;
  wouldGo: { itemKey: string; msgid: string; mailbox: string; msgTime: number; policyId: string; action: string }[];
  truncated: boolean;
}

export function RetentionPage() {
  const { t } = useTranslation('retention');
  const fmt = useFormat();
  const session = useSession();
  const canWrite = session.can('retention:write');
  const me = session.user?.username;
  const [policies, setPolicies] = useState<Policy[] | null>(null);
  const [batches, setBatches] = useState<Batch[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [dry, setDry] = useState<DryRun | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmLock, setConfirmLock] = useState<string | null>(null);
  const [form, setForm] = useState({
    name: '',
    value: '7',
    unit: 'years',
    action: 'delete',
    reviewer: '',
    mailboxes: '',
  });

  const load = useCallback(async () => {
    try {
      const [p, b] = await Promise.all([
        get<{ policies: Policy[] }>('/api/retention/policies'),
        get<{ batches: Batch[] }>('/api/retention/batches'),
      ]);
      setPolicies(p.policies);
      setBatches(b.batches.filter((x) => x.status === 'pending' || x.status === 'postponed'));
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => void load(), [load]);

  async function act(fn: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const create = () =>
    act(() =>
      post('/api/retention/policies', {
        name: form.name,
        period: { value: Number(form.value), unit: form.unit },
        action: form.action,
        ...(form.reviewer ? { reviewer: form.reviewer } : {}),
        scope: { mailboxes: form.mailboxes.split(/[\s,]+/).filter(Boolean) },
      }),
    );

  const policyColumns: Column<Policy>[] = [
    { key: 'name', header: t('columns.name'), render: (p) => p.name },
    {
      key: 'period',
      header: t('columns.period'),
      render: (p) => t(`period.${p.period.unit}`, { count: p.period.value }),
    },
    {
      key: 'action',
      header: t('columns.action'),
      render: (p) => t(`action.${p.action}`) + (p.reviewer ? ` (${p.reviewer})` : ''),
    },
    {
      key: 'scope',
      header: t('columns.scope'),
      render: (p) => (p.scope.mailboxes.length ? p.scope.mailboxes.join(', ') : t('everyMailbox')),
    },
    {
      key: 'lock',
      header: t('columns.lock'),
      render: (p) =>
        p.locked ? (
          <span data-testid={`policy-locked-${p.id}`}>{t('locked')}</span>
        ) : canWrite ? (
          confirmLock === p.id ? (
            <span>
              {t('lockConfirm')}{' '}
              <Button
                variant="danger"
                busy={busy}
                testId={`lock-confirm-${p.id}`}
                onClick={() =>
                  void act(() => post(`/api/retention/policies/${p.id}/lock`)).then(() => setConfirmLock(null))
                }
              >
                {t('lockYes')}
              </Button>{' '}
              <Button onClick={() => setConfirmLock(null)}>{t('cancel')}</Button>
            </span>
          ) : (
            <Button testId={`lock-${p.id}`} onClick={() => setConfirmLock(p.id)}>
              {t('lock')}
            </Button>
          )
        ) : (
          '—'
        ),
    },
  ];

  const batchColumns: Column<Batch>[] = [
    { key: 'id', header: t('columns.batch'), render: (b) => `#${b.id}` },
    {
      key: 'policy',
      header: t('columns.policy'),
      render: (b) => policies?.find((p) => p.id === b.policy_id)?.name ?? b.policy_id,
    },
    { key: 'entries', header: t('columns.entries'), className: 'num', render: (b) => fmt.number(b.entries) },
    { key: 'created', header: t('columns.created'), render: (b) => fmt.dateTime(b.created_at) },
    {
      key: 'status',
      header: t('columns.status'),
      render: (b) =>
        b.status === 'postponed' && b.postponed_until
          ? t('postponedUntil', { date: fmt.dateTime(b.postponed_until) })
          : t(`status.${b.status}`),
    },
    {
      key: 'decide',
      header: t('columns.decision'),
      render: (b) =>
        b.reviewer === me ? (
          <span>
            <Button
              variant="danger"
              busy={busy}
              testId={`approve-${b.id}`}
              onClick={() => void act(() => post(`/api/retention/batches/${b.id}/decision`, { decision: 'approve' }))}
            >
              {t('approve')}
            </Button>{' '}
            <Button
              busy={busy}
              testId={`postpone-${b.id}`}
              onClick={() =>
                void act(() => post(`/api/retention/batches/${b.id}/decision`, { decision: 'postpone', days: 30 }))
              }
            >
              {t('postpone')}
            </Button>
          </span>
        ) : (
          t('forReviewer', { reviewer: b.reviewer ?? '—' })
        ),
    },
  ];

  return (
    <Page title={t('title')} subtitle={t('intro')} testId="retention-page">
      <p className="banner banner-info" data-testid="retention-outside-note">
        {t('outsideNote')}
      </p>
      <ErrorBanner error={error} />
      <Section title={t('policies')}>
        {policies === null ? (
          <Loading />
        ) : (
          <Table
            columns={policyColumns}
            rows={policies}
            rowKey={(p) => p.id}
            rowTestId={(p) => `policy-${p.id}`}
            empty={t('noPolicy')}
            testId="policy-table"
          />
        )}
      </Section>
      {canWrite ? (
        <Section title={t('create')}>
          <Field label={t('form.name')}>
            <input
              data-testid="policy-name"
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
            />
          </Field>
          <Field label={t('form.period')}>
            <input
              data-testid="policy-value"
              type="number"
              min={1}
              value={form.value}
              onChange={(e) => setForm({ ...form, value: e.target.value })}
            />
            <select
              data-testid="policy-unit"
              value={form.unit}
              onChange={(e) => setForm({ ...form, unit: e.target.value })}
            >
              <option value="days">{t('form.days')}</option>
              <option value="years">{t('form.years')}</option>
            </select>
          </Field>
          <Field label={t('form.action')}>
            <select
              data-testid="policy-action"
              value={form.action}
              onChange={(e) => setForm({ ...form, action: e.target.value })}
            >
              <option value="delete">{t('action.delete')}</option>
              <option value="review">{t('action.review')}</option>
            </select>
          </Field>
          <Field label={t('form.reviewer')} hint={t('form.reviewerHint')}>
            <input
              data-testid="policy-reviewer"
              value={form.reviewer}
              onChange={(e) => setForm({ ...form, reviewer: e.target.value })}
            />
          </Field>
          <Field label={t('form.mailboxes')} hint={t('form.mailboxesHint')}>
            <input
              data-testid="policy-mailboxes"
              value={form.mailboxes}
              onChange={(e) => setForm({ ...form, mailboxes: e.target.value })}
            />
          </Field>
          <Button variant="primary" busy={busy} testId="policy-create" onClick={() => void create()}>
            {t('create')}
          </Button>
        </Section>
      ) : null}
      <Section
        title={t('dryRun')}
        actions={
          <Button
            testId="dry-run"
            busy={busy}
            onClick={() => void act(async () => setDry(await post<DryRun>('/api/retention/dry-run')))}
          >
            {t('runDry')}
          </Button>
        }
      >
        {dry ? (
          <>
            <p data-testid="dry-run-counts">
              {t('dryCounts', {
                deleted: dry.deleted,
                held: dry.keptByHold,
                review: dry.waitingForReview,
                retained: dry.retained,
              })}
            </p>
            <Table
              columns={[
                { key: 'action', header: t('columns.action'), render: (g) => t(`action.${g.action}`) },
                { key: 'mailbox', header: t('columns.mailbox'), render: (g) => g.mailbox },
                { key: 'msgid', header: 'msgid', render: (g) => <code>{g.msgid}</code> },
                { key: 'time', header: t('columns.time'), render: (g) => fmt.dateTime(g.msgTime) },
              ]}
              rows={dry.wouldGo}
              rowKey={(g) => `${g.itemKey} ${g.mailbox}`}
              empty={t('nothingGoes')}
              testId="dry-run-table"
            />
          </>
        ) : null}
      </Section>
      <Section title={t('queue')}>
        {/* loaded with the policies: until then an empty queue would be a false statement */}
        {policies === null ? (
          error ? null : (
            <Loading />
          )
        ) : (
          <Table
            columns={batchColumns}
            rows={batches}
            rowKey={(b) => b.id}
            rowTestId={(b) => `batch-${b.id}`}
            empty={t('queueEmpty')}
            testId="batch-table"
          />
        )}
      </Section>
    </Page>
  );
}
