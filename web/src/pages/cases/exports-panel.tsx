/**
 * A case's exports: start one (a saved search, or a review set with only some tags, in EML,
 * mbox, RSMF or PDF), follow it while it runs on the server, and take finished ones away as a
 * zip or their manifest alone. Who started each, when, with what counts and manifest hash, is
 * listed for everyone who works the case.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, post } from '../../api.js';
import { Button, ErrorBanner, Field, Loading, Notice, Section, Table, useFormat } from '../../components/index.js';
import type { CliExportView, ExportJobView as ExportJob, ExportVerification } from '../../../../src/server/contract.js';
import { casesApi, type CaseTag, type ReviewSet, type SavedSearch } from './types.js';
import { useAction } from './use-action.js';

const FORMATS = ['rsmf', 'eml', 'mbox', 'pdf'] as const;

interface Props {
  caseId: number;
  searches: SavedSearch[];
  reviewSets: ReviewSet[];
  canWrite: boolean;
}

export function ExportsPanel({ caseId, searches, reviewSets, canWrite }: Props) {
  const { t } = useTranslation('exports');
  const fmt = useFormat();
  const base = `${casesApi(caseId)}/exports`;
  // null until the first list arrives: "no exports yet" is only said once the server said so.
  const [jobs, setJobs] = useState<ExportJob[] | null>(null);
  // exports made with the export command on the server: listed, their files are not here
  const [cliExports, setCliExports] = useState<CliExportView[]>([]);
  // the last verification asked for: which export, and what the server found
  const [verified, setVerified] = useState<{ id: string; v: ExportVerification } | null>(null);
  const [tags, setTags] = useState<string[]>([]);
  const [format, setFormat] = useState<(typeof FORMATS)[number]>('rsmf');
  const [source, setSource] = useState('');
  const [chosenTags, setChosenTags] = useState<string[]>([]);

  const load = useCallback(async () => {
    const r = await get<{ exports: ExportJob[]; cliExports?: CliExportView[] }>(base);
    setJobs(r.exports);
    setCliExports(r.cliExports ?? []);
  }, [base]);
  const { busy, error, setError, act } = useAction(load);
  useEffect(() => {
    load().catch(setError);
    // Every tag of the case, retired ones too: items may still carry them.
    get<{ tags: CaseTag[] }>(`${casesApi(caseId)}/tags`)
      .then((r) => setTags(r.tags.map((tag) => tag.name)))
      .catch(() => setTags([]));
  }, [caseId, load, setError]);
  // While an export runs, follow it.
  const running = (jobs ?? []).some((j) => j.status === 'running');
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void load().catch(setError), 1000);
    return () => clearInterval(timer);
  }, [running, load, setError]);

  const sources = [
    ...reviewSets.map((s) => ({ value: `set:${s.id}`, label: t('source.set', { name: s.name }) })),
    ...searches.map((s) => ({ value: `search:${s.id}`, label: t('source.search', { name: s.name }) })),
  ];
  const chosen = source || sources[0]?.value || '';
  const [kind, idText] = chosen.split(':');
  const start = () =>
    act(() =>
      post(base, {
        format,
        ...(kind === 'set'
          ? { reviewSetId: Number(idText), ...(chosenTags.length ? { tags: chosenTags } : {}) }
          : { savedSearchId: Number(idText) }),
      }),
    );

  const tagLabel = (tag: string) => t(`cases:review.tags.${tag}`, { defaultValue: tag });
  /** A review set by its name (or id), with the tags an export was limited to. */
  const setLabel = (name: string | number, tags?: string[]) =>
    t('source.set', { name }) + (tags?.length ? ` (${tags.map((x) => tagLabel(x)).join(', ')})` : '');
  const sourceLabel = ({ source: s }: ExportJob) =>
    'reviewSetId' in s
      ? setLabel(s.name ?? s.reviewSetId, s.tags)
      : t('source.search', { name: s.name ?? s.savedSearchId });
  const cliSourceLabel = ({ source: s }: CliExportView) =>
    s.kind === 'query'
      ? t('cli.query', { query: s.query })
      : s.kind === 'case'
        ? t('cli.case')
        : setLabel(reviewSets.find((r) => r.id === s.reviewSetId)?.name ?? s.reviewSetId, s.tags);
  const countsLabel = (c: ExportJob['counts']) =>
    c
      ? t('counts', {
          items: t('count.items', { count: c.items, n: fmt.number(c.items) }),
          files: t('count.files', { count: c.files, n: fmt.number(c.files) }),
          bytes: fmt.bytes(c.bytes),
        })
      : '—';
  const hashCell = (id: string, sha: string | null) =>
    sha ? (
      <code title={sha} data-testid={`export-hash-${id}`}>
        {sha.slice(0, 12)}…
      </code>
    ) : (
      '—'
    );

  return (
    <Section title={t('title')}>
      <ErrorBanner error={error} />
      {jobs === null ? (
        error ? null : (
          <Loading />
        )
      ) : (
        <Table
          columns={[
            { key: 'at', header: t('columns.started'), render: (j) => fmt.dateTime(Date.parse(j.createdAt)) },
            { key: 'by', header: t('columns.by'), render: (j) => j.createdBy },
            { key: 'format', header: t('columns.format'), render: (j) => t(`formats.${j.format}`) },
            { key: 'source', header: t('columns.source'), render: sourceLabel },
            {
              key: 'status',
              header: t('columns.status'),
              render: (j) => (
                <span data-testid={`export-status-${j.id}`} data-status={j.status} title={j.error ?? undefined}>
                  {t(`status.${j.status}`)}
                  {j.progress
                    ? ` · ${t(`phase.${j.progress.phase}`)} ${fmt.number(j.progress.done)} / ${fmt.number(j.progress.total)}`
                    : ''}
                  {j.status === 'failed' && j.error ? <span className="muted"> · {j.error}</span> : null}
                  {j.writtenBy ? <span className="muted"> · {t('writtenBy', { holder: j.writtenBy })}</span> : null}
                  {/* a finished export's files only: a running one makes its directory once its selection is known */}
                  {j.status === 'done' && j.filesHere === false ? (
                    <span className="muted" data-testid={`export-gone-${j.id}`}>
                      {' '}
                      · {t('gone')}
                    </span>
                  ) : null}
                </span>
              ),
            },
            { key: 'counts', header: t('columns.counts'), render: (j) => countsLabel(j.counts) },
            { key: 'hash', header: t('columns.manifest'), render: (j) => hashCell(j.id, j.manifestSha256) },
            {
              key: 'actions',
              header: '',
              render: (j) => (
                <span className="case-actions">
                  {/* its files moved or removed on the server: nothing left to download or verify */}
                  {j.status === 'done' && j.filesHere !== false ? (
                    <>
                      <a href={`${base}/${j.id}/download`} data-testid={`export-download-${j.id}`} download>
                        {t('download')}
                      </a>{' '}
                      <a href={`${base}/${j.id}/manifest`} data-testid={`export-manifest-${j.id}`} download>
                        {t('manifest')}
                      </a>{' '}
                      <Button
                        busy={busy}
                        testId={`export-verify-${j.id}`}
                        onClick={() =>
                          void act(async () => {
                            setVerified(null);
                            setVerified({ id: j.id, v: await post<ExportVerification>(`${base}/${j.id}/verify`) });
                          })
                        }
                      >
                        {t('verify.action')}
                      </Button>
                    </>
                  ) : null}
                  {canWrite && (j.status === 'interrupted' || j.status === 'failed') ? (
                    <Button
                      busy={busy}
                      testId={`export-resume-${j.id}`}
                      onClick={() => void act(() => post(`${base}/${j.id}/resume`))}
                    >
                      {t('resume')}
                    </Button>
                  ) : null}
                </span>
              ),
            },
          ]}
          rows={jobs}
          rowKey={(j) => j.id}
          rowTestId={(j) => `export-${j.id}`}
          empty={t('none')}
          testId="exports-table"
        />
      )}
      {verified ? (
        <Notice tone={verified.v.ok ? 'ok' : 'warning'} testId="export-verification">
          <p data-ok={verified.v.ok ? 'yes' : 'no'}>
            {verified.v.ok
              ? t('verify.ok', {
                  id: verified.id,
                  files: t('count.files', { count: verified.v.checked.files, n: fmt.number(verified.v.checked.files) }),
                  items: t('count.items', { count: verified.v.checked.items, n: fmt.number(verified.v.checked.items) }),
                  sha: verified.v.manifestSha256.slice(0, 12),
                })
              : t('verify.failed', { id: verified.id, count: verified.v.problemCount })}
          </p>
          {verified.v.problems.length ? (
            <ul>
              {verified.v.problems.map((p, i) => (
                <li key={i} data-problem={p.problem}>
                  <code>{p.problem}</code> {p.detail}
                </li>
              ))}
            </ul>
          ) : null}
        </Notice>
      ) : null}
      {cliExports.length ? (
        <>
          <h3>{t('cli.title')}</h3>
          <p className="muted">{t('cli.hint')}</p>
          <Table
            columns={[
              { key: 'at', header: t('columns.started'), render: (e) => fmt.dateTime(Date.parse(e.createdAt)) },
              { key: 'by', header: t('columns.by'), render: (e) => e.createdBy },
              { key: 'format', header: t('columns.format'), render: (e) => t(`formats.${e.format}`) },
              { key: 'source', header: t('columns.source'), render: cliSourceLabel },
              {
                key: 'status',
                header: t('columns.status'),
                render: (e) => (
                  <span data-testid={`cli-export-status-${e.id}`} data-status={e.status} title={e.error ?? undefined}>
                    {e.status === 'interrupted' ? t('cli.interrupted') : t(`status.${e.status}`)}
                    {e.status === 'failed' && e.error ? <span className="muted"> · {e.error}</span> : null}
                    {e.writtenBy ? <span className="muted"> · {t('writtenBy', { holder: e.writtenBy })}</span> : null}
                  </span>
                ),
              },
              { key: 'counts', header: t('columns.counts'), render: (e) => countsLabel(e.counts) },
              { key: 'hash', header: t('columns.manifest'), render: (e) => hashCell(e.id, e.manifestSha256) },
              {
                key: 'dir',
                header: t('cli.directory'),
                render: (e) => (
                  <>
                    <code>{e.directory}</code>
                    {e.filesHere === false ? (
                      <span className="muted" data-testid={`cli-export-gone-${e.id}`}>
                        {' '}
                        · {t('cli.gone')}
                      </span>
                    ) : null}
                  </>
                ),
              },
            ]}
            rows={cliExports}
            rowKey={(e) => e.id}
            rowTestId={(e) => `cli-export-${e.id}`}
            empty=""
            testId="cli-exports-table"
          />
        </>
      ) : null}
      {canWrite ? (
        sources.length ? (
          <div className="case-form">
            <Field label={t('form.source')}>
              <select data-testid="export-source" value={chosen} onChange={(e) => setSource(e.target.value)}>
                {sources.map((s) => (
                  <option key={s.value} value={s.value}>
                    {s.label}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('form.format')}>
              <select
                data-testid="export-format"
                value={format}
                onChange={(e) => setFormat(e.target.value as (typeof FORMATS)[number])}
              >
                {FORMATS.map((f) => (
                  <option key={f} value={f}>
                    {t(`formats.${f}`)}
                  </option>
                ))}
              </select>
            </Field>
            {kind === 'set' && tags.length ? (
              <Field label={t('form.tags')} hint={t('form.tagsHint')}>
                <span className="case-actions" data-testid="export-tags">
                  {tags.map((tag) => (
                    <label key={tag}>
                      <input
                        type="checkbox"
                        data-testid={`export-tag-${tag}`}
                        checked={chosenTags.includes(tag)}
                        onChange={(e) =>
                          setChosenTags(e.target.checked ? [...chosenTags, tag] : chosenTags.filter((x) => x !== tag))
                        }
                      />{' '}
                      {tagLabel(tag)}
                    </label>
                  ))}
                </span>
              </Field>
            ) : null}
            <Button variant="primary" busy={busy} testId="export-start" onClick={() => void start()}>
              {t('start')}
            </Button>
          </div>
        ) : (
          <p className="muted">{t('noSource')}</p>
        )
      ) : null}
    </Section>
  );
}
