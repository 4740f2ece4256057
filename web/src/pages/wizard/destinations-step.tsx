/**
 * Step 4: where archived items go. The embedded archive is always written; IMAP servers,
 * Microsoft 365 (Graph) and Gmail can be added, each with its write-only secret and a test
 * against a mailbox the user names (the server creates the target folder there if missing).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CheckResult, TestDestinationRequest } from '../../../../src/server/contract.js';
import { post } from '../../api.js';
import { Button, ErrorBanner, Field } from '../../components/index.js';
import { CheckResultView } from './check-result.js';
import {
  destinationIndex,
  GRAPH_CLOUDS,
  newDestination,
  secretIsSet,
  toDestinationInput,
  type DestinationDraft,
  type ExternalKind,
  type StepProps,
} from './draft.js';
import { CLOUD_LABEL, DESTINATION_LABEL } from './labels.js';
import { SecretInput } from './secret-input.js';

const KINDS: ExternalKind[] = ['imap', 'graph', 'gmail'];

export function DestinationsStep({ draft, update, mode, connectorId }: StepProps) {
  const { t } = useTranslation('wizard');
  const change = (index: number, patch: Partial<DestinationDraft>) =>
    update((d) => ({
      ...d,
      destinations: d.destinations.map((x, i) => (i === index ? ({ ...x, ...patch } as DestinationDraft) : x)),
    }));
  const remove = (index: number) =>
    update((d) => ({ ...d, destinations: d.destinations.filter((_, i) => i !== index) }));

  return (
    <div className="step">
      <div className="card destination" data-testid="destination-archive" data-kind="archive">
        <h3>{t(DESTINATION_LABEL.archive)}</h3>
        <p className="muted">{t('destinations.archiveHint')}</p>
      </div>
      {draft.destinations.map((d, i) => (
        <DestinationCard
          key={d.uid}
          index={i}
          destination={d}
          onChange={(patch) => change(i, patch)}
          onRemove={() => remove(i)}
          stored={mode.editing ? secretIsSet(mode.secrets, `destinations.${destinationIndex(i)}`) : undefined}
          connectorId={connectorId}
        />
      ))}
      <div className="add-row">
        {KINDS.map((kind) => (
          <Button
            key={kind}
            testId={`destination-add-${kind}`}
            onClick={() => update((d) => ({ ...d, destinations: [...d.destinations, newDestination(kind)] }))}
          >
            {t('destinations.add', { kind: t(DESTINATION_LABEL[kind]) })}
          </Button>
        ))}
      </div>
    </div>
  );
}

interface CardProps {
  index: number;
  destination: DestinationDraft;
  onChange: (patch: Partial<DestinationDraft>) => void;
  onRemove: () => void;
  stored: boolean | undefined;
  connectorId: string | undefined;
}

function DestinationCard({ index, destination: d, onChange, onRemove, stored, connectorId }: CardProps) {
  const { t } = useTranslation('wizard');
  const [mailbox, setMailbox] = useState('');
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<CheckResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const id = (field: string) => `destination-field-${index}-${field}`;

  // An IMAP destination names its check mailbox; the test uses it unless another is typed.
  const testMailbox = mailbox.trim() || (d.kind === 'imap' ? d.checkMailbox.trim() : '');

  async function test() {
    setTesting(true);
    setResult(null);
    setError(null);
    const request: TestDestinationRequest = {
      destination: toDestinationInput(d),
      mailbox: testMailbox,
      ...(d.secret ? { secret: d.secret } : {}),
      ...(connectorId ? { connectorId, index: destinationIndex(index) } : {}),
    };
    try {
      setResult(await post<CheckResult>('/api/wizard/test-destination', request));
    } catch (e) {
      setError(e);
    } finally {
      setTesting(false);
    }
  }

  const secretLabel =
    d.kind === 'imap'
      ? d.authKind === 'master'
        ? t('destinations.imap.masterPassword')
        : t('destinations.imap.password')
      : d.kind === 'graph'
        ? t('destinations.graph.clientSecret')
        : t('destinations.gmail.key');

  return (
    <div className="card destination" data-testid={`destination-${index}`} data-kind={d.kind}>
      <header className="section-header">
        <h3>{t(DESTINATION_LABEL[d.kind])}</h3>
        <Button variant="link" testId={`destination-remove-${index}`} onClick={onRemove}>
          {t('destinations.remove')}
        </Button>
      </header>
      {d.kind === 'imap' ? (
        <>
          <div className="grid-3">
            <Field label={t('destinations.imap.host')}>
              <input data-testid={id('host')} value={d.host} onChange={(e) => onChange({ host: e.target.value })} />
            </Field>
            <Field label={t('destinations.imap.port')} hint={t('destinations.imap.portHint')}>
              <input
                data-testid={id('port')}
                type="number"
                min={1}
                max={65535}
                value={d.port}
                onChange={(e) => onChange({ port: e.target.value })}
              />
            </Field>
            <Field label={t('destinations.imap.folder')} hint={t('destinations.folderHint')}>
              <input
                data-testid={id('folder')}
                value={d.folder}
                onChange={(e) => onChange({ folder: e.target.value })}
              />
            </Field>
          </div>
          <label className="checkbox">
            <input
              type="checkbox"
              data-testid={id('secure')}
              checked={d.secure}
              onChange={(e) => onChange({ secure: e.target.checked })}
            />
            <span>{t('destinations.imap.secure')}</span>
          </label>
          <div className="grid-2">
            <Field label={t('destinations.imap.authKind')}>
              <select
                data-testid={id('authKind')}
                value={d.authKind}
                onChange={(e) => onChange({ authKind: e.target.value as 'master' | 'password' })}
              >
                <option value="master">{t('destinations.imap.authMaster')}</option>
                <option value="password">{t('destinations.imap.authPassword')}</option>
              </select>
            </Field>
            {d.authKind === 'master' ? (
              <Field label={t('destinations.imap.masterUser')}>
                <input
                  data-testid={id('masterUser')}
                  value={d.masterUser}
                  onChange={(e) => onChange({ masterUser: e.target.value })}
                  autoComplete="off"
                />
              </Field>
            ) : null}
            <Field label={t('destinations.imap.checkMailbox')} hint={t('destinations.imap.checkMailboxHint')}>
              <input
                data-testid={id('checkMailbox')}
                type="email"
                value={d.checkMailbox}
                onChange={(e) => onChange({ checkMailbox: e.target.value })}
              />
            </Field>
          </div>
          <Field label={t('destinations.imap.ca')} hint={t('destinations.imap.caHint')}>
            <textarea
              data-testid={id('ca')}
              rows={3}
              spellCheck={false}
              placeholder="-----BEGIN CERTIFICATE-----"
              value={d.ca}
              onChange={(e) => onChange({ ca: e.target.value })}
            />
          </Field>
        </>
      ) : d.kind === 'graph' ? (
        <div className="grid-2">
          <Field label={t('destinations.graph.tenantId')}>
            <input
              data-testid={id('tenantId')}
              className="mono"
              value={d.tenantId}
              onChange={(e) => onChange({ tenantId: e.target.value })}
            />
          </Field>
          <Field label={t('destinations.graph.clientId')}>
            <input
              data-testid={id('clientId')}
              className="mono"
              value={d.clientId}
              onChange={(e) => onChange({ clientId: e.target.value })}
            />
          </Field>
          <Field label={t('destinations.graph.cloud')}>
            <select data-testid={id('cloud')} value={d.cloud} onChange={(e) => onChange({ cloud: e.target.value })}>
              {GRAPH_CLOUDS.map((c) => (
                <option key={c} value={c}>
                  {t(CLOUD_LABEL[c] ?? c)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('destinations.graph.folder')} hint={t('destinations.folderHint')}>
            <input data-testid={id('folder')} value={d.folder} onChange={(e) => onChange({ folder: e.target.value })} />
          </Field>
          <Field label={t('destinations.graph.maxMessage')} hint={t('destinations.graph.maxMessageHint')}>
            <input
              data-testid={id('maxMessageMb')}
              inputMode="numeric"
              placeholder="35"
              value={d.maxMessageMb}
              onChange={(e) => onChange({ maxMessageMb: e.target.value })}
            />
          </Field>
        </div>
      ) : (
        <Field label={t('destinations.gmail.label')} hint={t('destinations.gmail.labelHint')}>
          <input data-testid={id('label')} value={d.label} onChange={(e) => onChange({ label: e.target.value })} />
        </Field>
      )}
      <SecretInput
        label={secretLabel}
        testId={`destination-secret-${index}`}
        value={d.secret}
        onChange={(secret) => onChange({ secret })}
        stored={stored}
        hint={d.kind === 'gmail' ? t('destinations.gmail.keyHint') : undefined}
      />
      <div className="test-row">
        <Field label={t('destinations.testMailbox')} hint={t('destinations.testMailboxHint')}>
          <input
            type="email"
            data-testid={`destination-test-mailbox-${index}`}
            value={mailbox}
            placeholder={d.kind === 'imap' ? d.checkMailbox : undefined}
            onChange={(e) => setMailbox(e.target.value)}
          />
        </Field>
        <Button testId={`destination-test-${index}`} busy={testing} disabled={!testMailbox} onClick={() => void test()}>
          {t('destinations.test')}
        </Button>
      </div>
      <ErrorBanner error={error} />
      {result ? <CheckResultView result={result} testId={`destination-check-${index}`} /> : null}
    </div>
  );
}
