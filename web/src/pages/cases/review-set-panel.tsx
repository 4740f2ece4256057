/**
 * One review set: its items a page at a time (optionally only one tag's, retired tags included),
 * each with its tags and comments and a link to its conversation; tagging or untagging the
 * checked items in bulk with the case's tags (a retired one is not offered), and commenting on
 * one. A closed case's set is shown read-only. Shown on the case page and on a reviewer's own
 * review page; every view, tag and comment is audited by the API.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { get, post, query } from '../../api.js';
import { Button, ErrorBanner, Loading, Section, Table, useFormat } from '../../components/index.js';
import { reviewItemRoute, reviewSetApi, type CaseTag, type ReviewItem, type ReviewSetDetail } from './types.js';
import { useAction } from './use-action.js';
import { useTagLabel } from './tag-label.js';

const PAGE = 50;

/**
 * `tags` and `readOnly` come from the case page, which reloads them as an administrator changes
 * the case; a reviewer's page leaves them out and the panel reads them from the set.
 */
export function ReviewSetPanel(props: {
  set: { id: number; name: string };
  onChange?: () => Promise<void>;
  tags?: CaseTag[];
  readOnly?: boolean;
}) {
  const { set, onChange } = props;
  const { t } = useTranslation('cases');
  const fmt = useFormat();
  const tagLabel = useTagLabel();
  const [fetched, setFetched] = useState<{ tags: CaseTag[]; readOnly: boolean }>({ tags: [], readOnly: false });
  const tags = props.tags ?? fetched.tags;
  const readOnly = props.readOnly ?? fetched.readOnly;
  const [filter, setFilter] = useState('');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ total: number; items: ReviewItem[] } | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [tag, setTag] = useState('responsive');
  const [commenting, setCommenting] = useState<{ itemKey: string; body: string } | null>(null);
  const base = reviewSetApi(set.id);

  const load = useCallback(async () => {
    try {
      setLoadError(null);
      setPage(await get(`${base}/items${query({ tag: filter || undefined, limit: PAGE, offset })}`));
    } catch (e) {
      setLoadError(e);
    }
  }, [base, filter, offset]);
  useEffect(() => void load(), [load]);
  const given = props.tags !== undefined;
  useEffect(() => {
    if (given) return;
    get<ReviewSetDetail>(base).then(
      (d) => setFetched({ tags: d.tags, readOnly: d.caseStatus === 'closed' }),
      setLoadError,
    );
  }, [base, given]);
  const { busy, error, act } = useAction(async () => {
    await load();
    await onChange?.();
  });
  const applicable = tags.filter((x) => !x.retired);
  const applyTag = (remove: boolean) =>
    act(() => post(`${base}/tags`, { itemKeys: [...checked], tag, ...(remove ? { remove: true } : {}) })).then(
      (ok) => ok && setChecked(new Set()),
    );
  const comment = () =>
    commenting && act(() => post(`${base}/comments`, commenting)).then((ok) => ok && setCommenting(null));
  const toggle = (key: string) => {
    const next = new Set(checked);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setChecked(next);
  };

  return (
    <Section title={t('review.setTitle', { name: set.name })}>
      <div data-testid="review-set-panel" data-review-set={set.id}>
        <ErrorBanner error={loadError ?? error} />
        {readOnly ? (
          <p className="muted" data-testid="review-read-only">
            {t('review.readOnly')}
          </p>
        ) : null}
        <div className="case-actions">
          <label>
            {t('review.filter')}{' '}
            <select
              data-testid="review-filter"
              value={filter}
              onChange={(e) => {
                setFilter(e.target.value);
                setOffset(0);
                setChecked(new Set());
              }}
            >
              <option value="">{t('review.allItems')}</option>
              {tags.map((x) => (
                <option key={x.name} value={x.name}>
                  {x.retired ? t('tags.retiredLabel', { name: x.name }) : tagLabel(x.name)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('review.tag')}{' '}
            <select data-testid="review-tag" value={tag} disabled={readOnly} onChange={(e) => setTag(e.target.value)}>
              {applicable.map((x) => (
                <option key={x.name} value={x.name}>
                  {tagLabel(x.name)}
                </option>
              ))}
            </select>
          </label>
          <Button
            busy={busy}
            disabled={readOnly || checked.size === 0}
            testId="review-apply-tag"
            onClick={() => void applyTag(false)}
          >
            {t('review.applyTag', { count: checked.size })}
          </Button>
          <Button
            busy={busy}
            disabled={readOnly || checked.size === 0}
            testId="review-remove-tag"
            onClick={() => void applyTag(true)}
          >
            {t('review.removeTag', { count: checked.size })}
          </Button>
        </div>
        {page === null ? (
          <Loading />
        ) : (
          <>
            <p data-testid="review-total" data-total={page.total}>
              {t('review.total', { count: page.total })}
            </p>
            <Table
              columns={[
                {
                  key: 'check',
                  header: (
                    <input
                      type="checkbox"
                      data-testid="review-check-all"
                      aria-label={t('review.checkAll')}
                      checked={page.items.length > 0 && page.items.every((i) => checked.has(i.itemKey))}
                      onChange={(e) => setChecked(new Set(e.target.checked ? page.items.map((i) => i.itemKey) : []))}
                    />
                  ),
                  render: (i) => (
                    <input
                      type="checkbox"
                      data-testid="review-check"
                      aria-label={i.msgid}
                      checked={checked.has(i.itemKey)}
                      onChange={() => toggle(i.itemKey)}
                    />
                  ),
                },
                { key: 'time', header: t('review.columns.time'), render: (i) => fmt.dateTime(Date.parse(i.msgTime)) },
                { key: 'type', header: t('review.columns.type'), render: (i) => i.msgtype },
                {
                  key: 'msgid',
                  header: t('review.columns.message'),
                  render: (i) => (
                    <Link to={reviewItemRoute(set.id, i.itemKey)} data-testid="review-conversation">
                      {i.msgid}
                    </Link>
                  ),
                },
                {
                  key: 'tags',
                  header: t('review.columns.tags'),
                  render: (i) => (
                    <span data-testid="review-item-tags" data-tags={i.tags.join(' ')}>
                      {i.tags.map(tagLabel).join(', ') || '—'}
                    </span>
                  ),
                },
                {
                  key: 'comments',
                  header: t('review.columns.comments'),
                  render: (i) => (
                    <div>
                      {i.comments.map((c, n) => (
                        <p key={n} className="review-comment" data-testid="review-comment">
                          <strong>{c.author}</strong> {c.body}
                        </p>
                      ))}
                      {commenting?.itemKey === i.itemKey ? (
                        <span>
                          <input
                            data-testid="review-comment-input"
                            aria-label={t('review.comment')}
                            value={commenting.body}
                            onChange={(e) => setCommenting({ itemKey: i.itemKey, body: e.target.value })}
                          />{' '}
                          <Button busy={busy} testId="review-comment-save" onClick={() => void comment()}>
                            {t('review.saveComment')}
                          </Button>{' '}
                          <Button onClick={() => setCommenting(null)}>{t('cancel')}</Button>
                        </span>
                      ) : readOnly ? null : (
                        <Button
                          variant="link"
                          testId="review-comment-open"
                          onClick={() => setCommenting({ itemKey: i.itemKey, body: '' })}
                        >
                          {t('review.comment')}
                        </Button>
                      )}
                    </div>
                  ),
                },
              ]}
              rows={page.items}
              rowKey={(i) => i.itemKey}
              rowTestId={(i) => `review-item-${i.msgid}`}
              empty={filter ? t('review.noneTagged') : t('review.empty')}
              testId="review-table"
            />
            <div className="case-actions">
              <Button
                disabled={offset === 0}
                testId="review-previous"
                onClick={() => setOffset(Math.max(0, offset - PAGE))}
              >
                {t('review.previous')}
              </Button>
              <Button
                disabled={offset + PAGE >= page.total}
                testId="review-next"
                onClick={() => setOffset(offset + PAGE)}
              >
                {t('review.next')}
              </Button>
            </div>
          </>
        )}
      </div>
    </Section>
  );
}
