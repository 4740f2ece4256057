/**
 * A case's legal holds with what each covers (items and bytes), placing a hold on a custodian
 * or a query, and releasing one only after an explicit confirmation: a released hold no longer
 * protects anything from retention or deletion.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../../api.js';
import { Button, ErrorBanner, Field, Notice, Section, Table, useFormat } from '../../components/index.js';
import { casesApi, type Hold } from './types.js';
import { useAction } from './use-action.js';

export function HoldsSection(props: { caseId: number; holds: Hold[]; canWrite: boolean; reload: () => Promise<void> }) {
  const { t } = useTranslation('cases');
  const fmt = useFormat();
  const { busy, error, act } = useAction(props.reload);
  const [kind, setKind] = useState<'custodian' | 'query'>('custodian');
  const [target, setTarget] = useState('');
  const [confirm, setConfirm] = useState<number | null>(null);
  const base = `${casesApi(props.caseId)}/holds`;

  // the same hold placed again: the server gives the one in force back and adds nothing
  const [existing, setExisting] = useState<Hold | null>(null);
  const place = () =>
    act(async () => {
      setExisting(null);
      const h = await post<Hold>(base, kind === 'custodian' ? { custodian: target.trim() } : { query: target.trim() });
      if (h.existing) setExisting(h);
    }).then((ok) => ok && setTarget(''));
  const release = (id: number) => act(() => post(`${base}/${id}/release`)).then(() => setConfirm(null));

  return (
    <Section title={t('holds.title')}>
      <ErrorBanner error={error} />
      {existing ? (
        <Notice tone="info" testId="hold-existing">
          {t('holds.existing', { id: existing.id, what: existing.custodian ?? existing.query })}
        </Notice>
      ) : null}
      <Table
        columns={[
          {
            key: 'what',
            header: t('holds.columns.what'),
            render: (h) =>
              h.kind === 'custodian'
                ? t('holds.custodian', { custodian: h.custodian })
                : t('holds.query', { query: h.query }),
          },
          {
            key: 'status',
            header: t('columns.status'),
            render: (h) => <span data-status={h.status}>{t(`holds.status.${h.status}`)}</span>,
          },
          { key: 'items', header: t('holds.columns.items'), className: 'num', render: (h) => fmt.number(h.items) },
          { key: 'bytes', header: t('holds.columns.bytes'), className: 'num', render: (h) => fmt.bytes(h.bytes) },
          {
            key: 'placed',
            header: t('holds.columns.placed'),
            render: (h) => t('holds.placedBy', { by: h.placedBy, at: fmt.dateTime(Date.parse(h.placedAt)) }),
          },
          {
            key: 'release',
            header: '',
            render: (h) =>
              !props.canWrite || h.status !== 'active' ? null : confirm === h.id ? (
                <span>
                  {t('holds.releaseConfirm')}{' '}
                  <Button
                    variant="danger"
                    busy={busy}
                    testId={`hold-release-confirm-${h.id}`}
                    onClick={() => void release(h.id)}
                  >
                    {t('holds.releaseYes')}
                  </Button>{' '}
                  <Button onClick={() => setConfirm(null)}>{t('cancel')}</Button>
                </span>
              ) : (
                <Button testId={`hold-release-${h.id}`} onClick={() => setConfirm(h.id)}>
                  {t('holds.release')}
                </Button>
              ),
          },
        ]}
        rows={props.holds}
        rowKey={(h) => h.id}
        rowTestId={(h) => `hold-${h.id}`}
        empty={t('holds.none')}
        testId="holds-table"
      />
      {props.canWrite ? (
        <div className="case-form">
          <Field label={t('holds.place')} hint={kind === 'custodian' ? t('holds.custodianHint') : t('holds.queryHint')}>
            <select
              data-testid="hold-kind"
              value={kind}
              onChange={(e) => setKind(e.target.value as 'custodian' | 'query')}
            >
              <option value="custodian">{t('holds.kind.custodian')}</option>
              <option value="query">{t('holds.kind.query')}</option>
            </select>
            <input data-testid="hold-target" value={target} onChange={(e) => setTarget(e.target.value)} />
          </Field>
          <Button variant="primary" busy={busy} testId="hold-place" onClick={() => void place()}>
            {t('holds.placeButton')}
          </Button>
        </div>
      ) : null}
    </Section>
  );
}
