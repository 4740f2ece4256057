/**
 * A case's review tags: the built-in ones and the case's own, with how many items carry each.
 * An eDiscovery administrator adds a tag, renames one (its items carry the new name) and
 * retires or restores one; a retired tag stays on the items it tagged but is no longer offered
 * to reviewers. Every change is audited by the API.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { patch, post } from '../../api.js';
import { Button, ErrorBanner, Field, Section, Table, useFormat } from '../../components/index.js';
import { casesApi, type CaseTag } from './types.js';
import { useAction } from './use-action.js';
import { useTagLabel } from './tag-label.js';

export function TagsSection(props: {
  caseId: number;
  tags: CaseTag[];
  canManage: boolean;
  reload: () => Promise<void>;
}) {
  const { t } = useTranslation('cases');
  const fmt = useFormat();
  const tagLabel = useTagLabel();
  const { busy, error, act } = useAction(props.reload);
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<{ id: number; name: string } | null>(null);
  const base = `${casesApi(props.caseId)}/tags`;
  const change = (id: number, body: { name?: string; retired?: boolean }) =>
    act(() => patch(`${base}/${id}`, body)).then((ok) => ok && setRenaming(null));

  const actions = (x: CaseTag) => {
    if (!props.canManage || x.id === undefined) return null;
    const id = x.id;
    if (renaming?.id === id)
      return (
        <span>
          <input
            data-testid={`tag-rename-input-${id}`}
            aria-label={t('tags.rename')}
            value={renaming.name}
            onChange={(e) => setRenaming({ id, name: e.target.value })}
          />{' '}
          <Button busy={busy} testId={`tag-rename-save-${id}`} onClick={() => void change(id, { name: renaming.name })}>
            {t('tags.save')}
          </Button>{' '}
          <Button onClick={() => setRenaming(null)}>{t('cancel')}</Button>
        </span>
      );
    return (
      <span>
        <Button variant="link" testId={`tag-rename-${id}`} onClick={() => setRenaming({ id, name: x.name })}>
          {t('tags.rename')}
        </Button>{' '}
        <Button
          variant="link"
          busy={busy}
          testId={`tag-${x.retired ? 'restore' : 'retire'}-${id}`}
          onClick={() => void change(id, { retired: !x.retired })}
        >
          {x.retired ? t('tags.restore') : t('tags.retire')}
        </Button>
      </span>
    );
  };

  return (
    <Section title={t('tags.title')}>
      <ErrorBanner error={error} />
      <Table
        columns={[
          { key: 'name', header: t('columns.name'), render: (x) => tagLabel(x.name) },
          {
            key: 'kind',
            header: t('tags.kind'),
            render: (x) => (
              <span data-testid="tag-state" data-state={x.builtIn ? 'built-in' : x.retired ? 'retired' : 'active'}>
                {x.builtIn ? t('tags.builtIn') : x.retired ? t('tags.retired') : t('tags.custom')}
              </span>
            ),
          },
          { key: 'items', header: t('sets.items'), className: 'num', render: (x) => fmt.number(x.items) },
          { key: 'actions', header: '', render: actions },
        ]}
        rows={props.tags}
        rowKey={(x) => x.name}
        rowTestId={(x) => `tag-row-${x.name}`}
        testId="tags-table"
      />
      {props.canManage ? (
        <div className="case-form">
          <Field label={t('tags.add')} hint={t('tags.addHint')}>
            <input data-testid="tag-name" value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <Button
            busy={busy}
            testId="tag-add"
            onClick={() => void act(() => post(base, { name: name.trim() })).then((ok) => ok && setName(''))}
          >
            {t('tags.addButton')}
          </Button>
        </div>
      ) : null}
    </Section>
  );
}
