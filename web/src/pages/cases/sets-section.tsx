/**
 * A case's review sets: their items, the reviewers assigned to each (a Reviewer sees only the
 * sets assigned to them, on their own review page), assigning or taking a reviewer off a set,
 * creating a set, and opening one for review below.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { del, post, put } from '../../api.js';
import { Button, ErrorBanner, Field, Section, Table, useFormat } from '../../components/index.js';
import { casesApi, type ReviewSet } from './types.js';
import { useAction } from './use-action.js';

export function SetsSection(props: {
  caseId: number;
  sets: ReviewSet[];
  canWrite: boolean;
  onOpen: (id: number) => void;
  reload: () => Promise<void>;
}) {
  const { t } = useTranslation('cases');
  const fmt = useFormat();
  const { busy, error, act } = useAction(props.reload);
  const [setName, setSetName] = useState('');
  const [assignee, setAssignee] = useState<Record<number, string>>({});
  const reviewerUrl = (setId: number, user: string) =>
    `${casesApi(props.caseId)}/review-sets/${setId}/reviewers/${encodeURIComponent(user)}`;
  const assign = (setId: number) =>
    act(() => put(reviewerUrl(setId, (assignee[setId] ?? '').trim()), {})).then(
      (ok) => ok && setAssignee({ ...assignee, [setId]: '' }),
    );

  const reviewers = (s: ReviewSet) => (
    <div data-testid={`set-reviewers-${s.id}`} data-reviewers={(s.reviewers ?? []).join(' ')}>
      {(s.reviewers ?? []).length === 0 ? <span className="muted">{t('sets.noReviewer')}</span> : null}
      {(s.reviewers ?? []).map((r) => (
        <span key={r} className="case-reviewer">
          {r}
          {props.canWrite ? (
            <>
              {' '}
              <Button
                variant="link"
                busy={busy}
                testId={`set-unassign-${s.id}-${r}`}
                onClick={() => void act(() => del(reviewerUrl(s.id, r)))}
              >
                {t('sets.unassign')}
              </Button>
            </>
          ) : null}{' '}
        </span>
      ))}
      {props.canWrite ? (
        <span>
          <input
            data-testid={`set-assignee-${s.id}`}
            aria-label={t('sets.assignLabel')}
            placeholder={t('sets.assignLabel')}
            value={assignee[s.id] ?? ''}
            onChange={(e) => setAssignee({ ...assignee, [s.id]: e.target.value })}
          />{' '}
          <Button busy={busy} testId={`set-assign-${s.id}`} onClick={() => void assign(s.id)}>
            {t('sets.assign')}
          </Button>
        </span>
      ) : null}
    </div>
  );

  return (
    <Section title={t('sets.title')}>
      <ErrorBanner error={error} />
      <Table
        columns={[
          { key: 'name', header: t('columns.name'), render: (s) => s.name },
          { key: 'items', header: t('sets.items'), className: 'num', render: (s) => fmt.number(s.items) },
          { key: 'reviewers', header: t('sets.reviewers'), render: reviewers },
          {
            key: 'open',
            header: '',
            render: (s) => (
              <Button testId={`set-open-${s.id}`} onClick={() => props.onOpen(s.id)}>
                {t('sets.open')}
              </Button>
            ),
          },
        ]}
        rows={props.sets}
        rowKey={(s) => s.id}
        rowTestId={(s) => `set-${s.id}`}
        empty={t('sets.none')}
        testId="sets-table"
      />
      {props.canWrite ? (
        <div className="case-form">
          <Field label={t('form.name')}>
            <input data-testid="set-name" value={setName} onChange={(e) => setSetName(e.target.value)} />
          </Field>
          <Button
            busy={busy}
            testId="set-create"
            onClick={() =>
              void act(() => post(`${casesApi(props.caseId)}/review-sets`, { name: setName })).then(
                (ok) => ok && setSetName(''),
              )
            }
          >
            {t('sets.create')}
          </Button>
        </div>
      ) : null}
    </Section>
  );
}
