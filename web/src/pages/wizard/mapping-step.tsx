/**
 * Step 3: who goes to which mailbox. Automatic mapping uses the directory's e-mail addresses, a
 * template makes addresses from userids, a catch-all takes the rest, and an uploaded CSV wins
 * over all of them. The CSV is read in the browser and checked by the server's parser, so the
 * user sees the bad lines before anything is saved; errors keep the wizard from going on. A
 * large file's answer is bounded: every problem is counted, the first of each kind listed.
 * Each problem comes with a code and the values it names, so it reads in the user's language.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
// types.js directly, not the mapping index: it has no imports, so the parser stays out of the bundle.
import { MAPPING_PARAM_VOCABULARIES } from '../../../../src/mapping/types.js';
import type { MappingPreview, MappingPreviewProblem, MappingPreviewRequest } from '../../../../src/server/contract.js';
import { post } from '../../api.js';
import { Button, ErrorBanner, Field, Notice, StatusBadge, Table } from '../../components/index.js';
import type { StepProps, WizardDraft } from './draft.js';

function readAsText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '');
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsText(file);
  });
}

/**
 * A problem in the reader's language: `wizard:csvProblem.<code>` filled with the problem's params,
 * where a param from a fixed vocabulary (a column kind, a kind of phone number) shows its label.
 * The params go in `replace` so that a name such as `count` or `context` can never be taken for
 * one of i18next's options. A code this console does not know (a newer server) shows the English.
 */
function problemText(t: TFunction, p: MappingPreviewProblem): string {
  const params: Record<string, string | number> = { ...p.params };
  for (const name of Object.keys(MAPPING_PARAM_VOCABULARIES)) {
    const value = params[name];
    if (value !== undefined) params[name] = t(`wizard:csvProblem.${name}.${value}`, { defaultValue: String(value) });
  }
  return t(`wizard:csvProblem.${p.code}`, { replace: params, defaultValue: p.message });
}

export function MappingStep({ draft, update }: StepProps) {
  const { t } = useTranslation('wizard');
  const [error, setError] = useState<unknown>(null);
  const [inputKey, setInputKey] = useState(0);
  const request = useRef(0);
  const set = (patch: Partial<WizardDraft>) => update((d) => ({ ...d, ...patch }));

  const preview = useCallback(
    async (csv: string, fileName: string | null) => {
      const mine = ++request.current;
      setError(null);
      try {
        const body: MappingPreviewRequest = { csv, ...(fileName ? { fileName } : {}) };
        const result = await post<MappingPreview>('/api/wizard/mapping-preview', body);
        if (mine === request.current) update((d) => (d.csv === csv ? { ...d, csvPreview: result } : d));
      } catch (e) {
        if (mine === request.current) setError(e);
      }
    },
    [update],
  );

  // Editing a connector that has a CSV: check it again, the parser may have changed since.
  useEffect(() => {
    if (draft.csv !== null && draft.csvPreview === null) void preview(draft.csv, draft.csvFileName);
    // Only on entering the step; later files go through onFile.
  }, []);

  async function onFile(file: File | undefined) {
    if (!file) return;
    try {
      const csv = await readAsText(file);
      update((d) => ({ ...d, csv, csvFileName: file.name, csvPreview: null }));
      await preview(csv, file.name);
    } catch (e) {
      setError(e);
    }
  }

  function removeCsv() {
    request.current += 1;
    setError(null);
    setInputKey((k) => k + 1);
    set({ csv: null, csvFileName: null, csvPreview: null });
  }

  const result = draft.csvPreview;
  const errors = result?.errorCount ?? 0;
  const unlisted = result ? result.problemCount - result.problems.length : 0;

  return (
    <div className="step">
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="auto-mapping"
          checked={draft.autoMapping}
          onChange={(e) => set({ autoMapping: e.target.checked })}
        />
        <span>
          <strong>{t('mapping.auto')}</strong>
          <span className="muted"> {t('mapping.autoHint')}</span>
        </span>
      </label>
      <div className="grid-2">
        <Field label={t('mapping.template')} hint={t('mapping.templateHint')}>
          <input
            data-testid="address-template"
            className="mono"
            value={draft.addressTemplate}
            placeholder="{userid}@example.com"
            onChange={(e) => set({ addressTemplate: e.target.value })}
            spellCheck={false}
          />
        </Field>
        <Field label={t('mapping.catchAll')} hint={t('mapping.catchAllHint')}>
          <input
            data-testid="catch-all"
            type="email"
            value={draft.catchAll}
            onChange={(e) => set({ catchAll: e.target.value })}
          />
        </Field>
      </div>

      <fieldset className="csv">
        <legend>{t('mapping.csv')}</legend>
        <p className="muted">{t('mapping.csvHint')}</p>
        <div className="csv-controls">
          <input
            key={inputKey}
            type="file"
            accept=".csv,text/csv,text/plain"
            data-testid="csv-input"
            aria-label={t('mapping.csvChoose')}
            onChange={(e) => void onFile(e.target.files?.[0])}
          />
          {draft.csv !== null ? (
            <Button variant="danger" testId="csv-remove" onClick={removeCsv}>
              {t('mapping.csvRemove')}
            </Button>
          ) : null}
        </div>
        <ErrorBanner error={error} />
        {draft.csv !== null && !result && !error ? <p className="muted">{t('mapping.csvChecking')}</p> : null}
        {result ? (
          <div data-testid="csv-preview" data-errors={errors} data-total={result.totalRows}>
            <p>
              {t('mapping.csvSummary', {
                file: draft.csvFileName ?? '',
                rows: result.totalRows,
                problems: result.problemCount,
              })}
            </p>
            {result.problems.length > 0 ? (
              <div className={errors > 0 ? 'banner banner-error' : 'banner banner-warning'}>
                {errors > 0 ? <p>{t('mapping.csvFix')}</p> : null}
                <ul className="problems" data-testid="csv-problems">
                  {result.problems.map((p, i) => (
                    <li
                      key={i}
                      data-testid="csv-problem"
                      data-severity={p.severity}
                      data-line={p.line}
                      data-code={p.code}
                    >
                      <StatusBadge tone={p.severity === 'error' ? 'alarm' : 'warning'}>
                        {p.severity === 'error' ? t('mapping.severityError') : t('mapping.severityWarning')}
                      </StatusBadge>{' '}
                      {/* line 0 is the whole file */}
                      {p.line > 0
                        ? t('mapping.problemLine', { line: p.line, message: problemText(t, p) })
                        : problemText(t, p)}
                    </li>
                  ))}
                </ul>
                {unlisted > 0 ? (
                  <p data-testid="csv-problems-unlisted">
                    {t('mapping.csvProblemsUnlisted', { listed: result.problems.length, total: result.problemCount })}
                  </p>
                ) : null}
              </div>
            ) : (
              <Notice tone="ok">{t('mapping.csvClean')}</Notice>
            )}
            <Table
              columns={[
                { key: 'line', header: t('mapping.colLine'), render: (r) => r.line, className: 'num' },
                { key: 'key', header: t('mapping.colKey'), render: (r) => <span className="mono">{r.key}</span> },
                {
                  key: 'kind',
                  header: t('mapping.colKind'),
                  render: (r) => t(`mapping.keyKind.${r.keyKind}`, { defaultValue: r.keyKind }),
                },
                { key: 'mailbox', header: t('mapping.colMailbox'), render: (r) => r.mailbox },
              ]}
              rows={result.rows}
              rowKey={(r) => `${r.line}:${r.key}`}
              rowTestId={() => 'csv-row'}
              empty={t('mapping.csvNoRows')}
            />
            {result.totalRows > result.rows.length ? (
              <p className="muted">{t('mapping.csvMore', { shown: result.rows.length, total: result.totalRows })}</p>
            ) : null}
          </div>
        ) : null}
      </fieldset>
    </div>
  );
}
