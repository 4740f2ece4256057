/**
 * /supervision: supervision policies with their lexicon editor and apply-to-history job
 * (Organization admin), the review queue (claim, tag, comment, escalate, resolve, with the
 * item opened in its conversation) and the reports (Reviewer, Organization admin).
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { get, patch, post, query } from '../api.js';
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
  id: number;
  name: string;
  enabled: boolean;
  version: number;
  reviewers: string[];
  conditions: { terms: string[]; msgtypes: string[]; sampleBasisPoints: number };
}
interface QueueItem {
  msgid: string;
  itemKey: string;
  policy: { id: number; name: string };
  terms: string[];
  reasons: string[];
  state: string;
  tag: string | null;
  assignee: string | null;
  time: string;
}
interface ReportRow {
  flagged: number;
  reviewed: number;
  open: number;
  oldestOpenAgeSeconds: number | null;
}
interface Report {
  policies: (ReportRow & { policyId: number; name: string })[];
  reviewers: (ReportRow & { reviewer: string })[];
}
interface Progress {
  running: boolean;
  done: number;
  total: number;
  flagged: number;
}

const TAGS = ['compliant', 'non-compliant', 'questionable'] as const;

function age(s: number | null): string {
  if (s === null) return '—';
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

function PolicyEditor({ policy, onSaved }: { policy?: Policy; onSaved: () => void }) {
  const { t } = useTranslation('supervision');
  const [name, setName] = useState(policy?.name ?? '');
  const [lexicon, setLexicon] = useState(policy ? policy.conditions.terms.join('\n') : '');
  const [sample, setSample] = useState(policy ? String(policy.conditions.sampleBasisPoints / 100) : '0');
  const [reviewers, setReviewers] = useState(policy?.reviewers.join(', ') ?? '');
  const [error, setError] = useState<unknown>(null);
  async function save() {
    setError(null);
    const body = {
      name,
      lexicon,
      samplePercent: Number(sample) || 0,
      reviewers: reviewers
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    };
    try {
      if (policy) await patch(`/api/supervision/policies/${policy.id}`, body);
      else await post('/api/supervision/policies', body);
      onSaved();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <div className="supervision-editor" data-testid="supervision-editor">
      <ErrorBanner error={error} />
      <Field label={t('policy.name')}>
        <input value={name} onChange={(e) => setName(e.target.value)} data-testid="policy-name" />
      </Field>
      <Field label={t('policy.lexicon')} hint={t('policy.lexiconHint')}>
        <textarea rows={10} value={lexicon} onChange={(e) => setLexicon(e.target.value)} data-testid="policy-lexicon" />
      </Field>
      <Field label={t('policy.sample')}>
        <input type="number" min={0} max={100} step={0.01} value={sample} onChange={(e) => setSample(e.target.value)} />
      </Field>
      <Field label={t('policy.reviewers')} hint={t('policy.reviewersHint')}>
        <input value={reviewers} onChange={(e) => setReviewers(e.target.value)} />
      </Field>
      <Button variant="primary" onClick={() => void save()} testId="policy-save">
        {t('policy.save')}
      </Button>
    </div>
  );
}

function ReviewControls({ item, onDone }: { item: QueueItem; onDone: () => void }) {
  const { t } = useTranslation('supervision');
  const [text, setText] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<unknown>(null);
  const act = (body: Record<string, unknown>) => async () => {
    setError(null);
    try {
      await post(`/api/supervision/queue/${item.policy.id}/${encodeURIComponent(item.itemKey)}/actions`, body);
      setText('');
      setTo('');
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="supervision-actions">
      <ErrorBanner error={error} />
      <Button variant="primary" onClick={() => void act({ action: 'claim' })()}>
        {t('actions.claim')}
      </Button>
      {TAGS.map((tag) => (
        <Button key={tag} variant="secondary" onClick={() => void act({ action: 'tag', tag })()}>
          {t(`tags.${tag}`)}
        </Button>
      ))}
      <input placeholder={t('actions.commentPlaceholder')} value={text} onChange={(e) => setText(e.target.value)} />
      <Button variant="secondary" disabled={!text.trim()} onClick={() => void act({ action: 'comment', text })()}>
        {t('actions.comment')}
      </Button>
      <input placeholder={t('actions.escalateTo')} value={to} onChange={(e) => setTo(e.target.value)} />
      <Button variant="secondary" disabled={!to.trim()} onClick={() => void act({ action: 'escalate', to })()}>
        {t('actions.escalate')}
      </Button>
      <Button variant="primary" onClick={() => void act({ action: 'resolve', ...(text ? { text } : {}) })()}>
        {t('actions.resolve')}
      </Button>
    </div>
  );
}

export function SupervisionPage() {
  const { t } = useTranslation('supervision');
  const fmt = useFormat();
  const { can } = useSession();
  const manage = can('supervision:manage');
  const [policies, setPolicies] = useState<Policy[]>([]);
  const [items, setItems] = useState<QueueItem[]>([]);
  const [report, setReport] = useState<Report | null>(null);
  const [editing, setEditing] = useState<Policy | 'new' | null>(null);
  const [progress, setProgress] = useState<Record<number, Progress>>({});
  const [open, setOpen] = useState<string | null>(null);
  const [state, setState] = useState('');
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async () => {
    try {
      const [p, q, r] = await Promise.all([
        get<{ policies: Policy[] }>('/api/supervision/policies'),
        get<{ items: QueueItem[] }>(`/api/supervision/queue${query({ state })}`),
        get<Report>('/api/supervision/report'),
      ]);
      setPolicies(p.policies);
      setItems(q.items);
      setReport(r);
    } catch (err) {
      setError(err);
    }
  }, [state]);
  useEffect(() => void load(), [load]);

  async function apply(id: number) {
    await post(`/api/supervision/policies/${id}/apply`);
    for (;;) {
      const p = await get<Progress>(`/api/supervision/policies/${id}/apply`);
      setProgress((all) => ({ ...all, [id]: p }));
      if (!p.running) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await load();
  }

  const policyColumns: Column<Policy>[] = [
    { key: 'name', header: t('policy.name'), render: (p) => `${p.id} ${p.name}` },
    { key: 'version', header: t('policy.version'), render: (p) => p.version },
    { key: 'terms', header: t('policy.terms'), render: (p) => p.conditions.terms.length },
    { key: 'sample', header: t('policy.sample'), render: (p) => `${p.conditions.sampleBasisPoints / 100}%` },
    { key: 'reviewers', header: t('policy.reviewers'), render: (p) => p.reviewers.join(', ') || '—' },
    {
      key: 'actions',
      header: '',
      render: (p) =>
        manage ? (
          <>
            <Button variant="secondary" onClick={() => setEditing(p)}>
              {t('policy.editLexicon')}
            </Button>
            <Button variant="secondary" onClick={() => void apply(p.id)} testId={`apply-${p.id}`}>
              {t('policy.apply')}
            </Button>
            {progress[p.id] ? (
              <span data-testid={`apply-progress-${p.id}`}>
                {t(progress[p.id]!.running ? 'policy.applying' : 'policy.applied', {
                  done: progress[p.id]!.done,
                  total: progress[p.id]!.total,
                  flagged: progress[p.id]!.flagged,
                })}
              </span>
            ) : null}
          </>
        ) : null,
    },
  ];
  const queueColumns: Column<QueueItem>[] = [
    { key: 'time', header: t('queue.time'), render: (i) => fmt.dateTime(Date.parse(i.time)) },
    { key: 'policy', header: t('queue.policy'), render: (i) => i.policy.name },
    { key: 'why', header: t('queue.why'), render: (i) => [...i.reasons, ...i.terms].join(', ') },
    {
      key: 'state',
      header: t('queue.state'),
      render: (i) => `${t(`states.${i.state}`)}${i.tag ? ` · ${t(`tags.${i.tag}`)}` : ''}`,
    },
    { key: 'assignee', header: t('queue.assignee'), render: (i) => i.assignee ?? '—' },
    {
      key: 'open',
      header: '',
      render: (i) => (
        <>
          <Link to={`/conversation/${encodeURIComponent(i.itemKey)}`}>{t('queue.conversation')}</Link>{' '}
          <Button variant="secondary" onClick={() => setOpen(open === i.itemKey ? null : i.itemKey)}>
            {t('queue.review')}
          </Button>
          {open === i.itemKey ? <ReviewControls item={i} onDone={() => void load()} /> : null}
        </>
      ),
    },
  ];
  const reportColumns = <T extends ReportRow>(first: Column<T>): Column<T>[] => [
    first,
    { key: 'flagged', header: t('report.flagged'), render: (r) => r.flagged },
    { key: 'reviewed', header: t('report.reviewed'), render: (r) => r.reviewed },
    { key: 'open', header: t('report.open'), render: (r) => r.open },
    { key: 'oldest', header: t('report.oldest'), render: (r) => age(r.oldestOpenAgeSeconds) },
  ];

  return (
    <Page title={t('title')} subtitle={t('subtitle')} testId="supervision-page">
      <ErrorBanner error={error} onRetry={() => void load()} />
      {/* Until the first answer, "no policies" or an empty queue would be a false statement. */}
      {report === null ? (
        error ? null : (
          <Loading />
        )
      ) : (
        <>
          <Section
            title={t('policies')}
            actions={
              manage ? (
                <Button variant="primary" onClick={() => setEditing('new')}>
                  {t('policy.new')}
                </Button>
              ) : null
            }
          >
            <Table columns={policyColumns} rows={policies} rowKey={(p) => String(p.id)} empty={t('policy.none')} />
            {editing ? (
              <PolicyEditor
                key={editing === 'new' ? 'new' : editing.id}
                {...(editing === 'new' ? {} : { policy: editing })}
                onSaved={() => {
                  setEditing(null);
                  void load();
                }}
              />
            ) : null}
          </Section>
          <Section
            title={t('queue.title')}
            actions={
              <select value={state} onChange={(e) => setState(e.target.value)} aria-label={t('queue.state')}>
                <option value="">{t('states.all')}</option>
                {['open', 'claimed', 'escalated', 'resolved'].map((s) => (
                  <option key={s} value={s}>
                    {t(`states.${s}`)}
                  </option>
                ))}
              </select>
            }
          >
            <Table
              columns={queueColumns}
              rows={items}
              rowKey={(i) => `${i.policy.id}/${i.itemKey}`}
              empty={t('queue.empty')}
              testId="supervision-queue"
            />
          </Section>
          <Section title={t('report.title')}>
            <Table
              columns={reportColumns<Report['policies'][number]>({
                key: 'policy',
                header: t('queue.policy'),
                render: (r) => r.name,
              })}
              rows={report.policies}
              rowKey={(r) => String(r.policyId)}
              empty={t('policy.none')}
            />
            <Table
              columns={reportColumns<Report['reviewers'][number]>({
                key: 'reviewer',
                header: t('queue.assignee'),
                render: (r) => r.reviewer,
              })}
              rows={report.reviewers}
              rowKey={(r) => r.reviewer}
              empty={t('report.noReviewers')}
            />
          </Section>
        </>
      )}
    </Page>
  );
}
