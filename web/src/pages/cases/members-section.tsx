/** The case's members (who may work it) and adding or removing one. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { del, put } from '../../api.js';
import { Button, ErrorBanner, Field, Section, Table, useFormat } from '../../components/index.js';
import { casesApi, type CaseDetail } from './types.js';
import { useAction } from './use-action.js';

export function MembersSection(props: { detail: CaseDetail; canWrite: boolean; reload: () => Promise<void> }) {
  const { t } = useTranslation('cases');
  const fmt = useFormat();
  const { busy, error, act } = useAction(props.reload);
  const [username, setUsername] = useState('');
  const url = (name: string) => `${casesApi(props.detail.id)}/members/${encodeURIComponent(name)}`;
  return (
    <Section title={t('members.title')}>
      <ErrorBanner error={error} />
      <Table
        columns={[
          { key: 'user', header: t('members.user'), render: (m) => m.username },
          {
            key: 'added',
            header: t('members.added'),
            render: (m) => t('members.addedBy', { by: m.addedBy, at: fmt.dateTime(Date.parse(m.addedAt)) }),
          },
          {
            key: 'remove',
            header: '',
            render: (m) =>
              props.canWrite ? (
                <Button
                  variant="link"
                  busy={busy}
                  testId={`member-remove-${m.username}`}
                  onClick={() => void act(() => del(url(m.username)))}
                >
                  {t('members.remove')}
                </Button>
              ) : null,
          },
        ]}
        rows={props.detail.members}
        rowKey={(m) => m.username}
        rowTestId={(m) => `member-${m.username}`}
        empty={t('members.none')}
        testId="members-table"
      />
      {props.canWrite ? (
        <div className="case-form">
          <Field label={t('members.add')}>
            <input data-testid="member-username" value={username} onChange={(e) => setUsername(e.target.value)} />
          </Field>
          <Button
            busy={busy}
            testId="member-add"
            onClick={() => void act(() => put(url(username.trim()), {})).then((ok) => ok && setUsername(''))}
          >
            {t('members.addButton')}
          </Button>
        </div>
      ) : null}
    </Section>
  );
}
