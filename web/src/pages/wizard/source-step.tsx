/**
 * Step 2: the connector's name and id, and where messages come from: the sandbox tenant (a
 * simulated WeCom organisation for trying things out) or a real WeCom corp with its archive
 * secret, RSA private keys by version, the vendor library and an optional proxy.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CheckResult, SecretsInput, TestSourceRequest } from '../../../../src/server/contract.js';
import { post } from '../../api.js';
import { Button, ErrorBanner, Field } from '../../components/index.js';
import { CheckResultView } from './check-result.js';
import {
  secretIsSet,
  toConnectorInput,
  uid,
  withName,
  type KeyDraft,
  type StepProps,
  type WizardDraft,
} from './draft.js';
import { SecretInput } from './secret-input.js';

export function SourceStep({ draft, update, mode, connectorId }: StepProps) {
  const { t } = useTranslation('wizard');
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<CheckResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const stored = (name: string) => (mode.editing ? secretIsSet(mode.secrets, name) : undefined);
  const set = (patch: Partial<WizardDraft>) => update((d) => ({ ...d, ...patch }));
  const setKey = (index: number, patch: Partial<KeyDraft>) =>
    update((d) => ({ ...d, privateKeys: d.privateKeys.map((k, i) => (i === index ? { ...k, ...patch } : k)) }));

  async function test() {
    setTesting(true);
    setError(null);
    setResult(null);
    const secrets: SecretsInput = {};
    if (draft.sourceKind === 'wecom') {
      if (draft.archiveSecret) secrets.archiveSecret = draft.archiveSecret;
      if (draft.proxyPassword) secrets.proxyPassword = draft.proxyPassword;
      const keys = draft.privateKeys.filter((k) => k.pem.trim());
      if (keys.length) secrets.privateKeys = keys.map((k) => ({ version: Number(k.version), pem: k.pem.trim() }));
    }
    const request: TestSourceRequest = {
      source: toConnectorInput(draft).source,
      ...(Object.keys(secrets).length ? { secrets } : {}),
      ...(connectorId ? { connectorId } : {}),
    };
    try {
      setResult(await post<CheckResult>('/api/wizard/test-source', request));
    } catch (e) {
      setError(e);
    } finally {
      setTesting(false);
    }
  }

  const nextVersion = () => String(Math.max(0, ...draft.privateKeys.map((k) => Number(k.version) || 0)) + 1);

  return (
    <div className="step">
      <div className="grid-2">
        <Field label={t('source.name')}>
          <input
            data-testid="connector-name"
            value={draft.name}
            onChange={(e) => update((d) => withName(d, e.target.value))}
          />
        </Field>
        <Field label={t('source.id')} hint={mode.editing ? t('source.idFixed') : t('source.idHint')}>
          <input
            data-testid="connector-id"
            className="mono"
            value={draft.id}
            disabled={mode.editing}
            onChange={(e) => set({ id: e.target.value.toLowerCase(), idTouched: true })}
            spellCheck={false}
          />
        </Field>
      </div>

      <fieldset className="choices" disabled={mode.editing}>
        <legend>{t('source.kind')}</legend>
        <label className="choice">
          <input
            type="radio"
            name="source-kind"
            data-testid="source-kind-sandbox"
            checked={draft.sourceKind === 'sandbox'}
            onChange={() => set({ sourceKind: 'sandbox' })}
          />
          <span>
            <strong>{t('source.sandbox')}</strong>
            <span className="muted">{t('source.sandboxHint')}</span>
          </span>
        </label>
        <label className="choice">
          <input
            type="radio"
            name="source-kind"
            data-testid="source-kind-wecom"
            checked={draft.sourceKind === 'wecom'}
            onChange={() => set({ sourceKind: 'wecom' })}
          />
          <span>
            <strong>{t('source.wecom')}</strong>
            <span className="muted">{t('source.wecomHint')}</span>
          </span>
        </label>
      </fieldset>

      {draft.sourceKind === 'sandbox' ? (
        <Field label={t('source.sandboxMessages')} hint={t('source.sandboxMessagesHint')}>
          <input
            data-testid="sandbox-messages"
            type="number"
            min={1}
            value={draft.sandboxMessages}
            onChange={(e) => set({ sandboxMessages: e.target.value })}
          />
        </Field>
      ) : (
        <>
          <div className="grid-2">
            <Field label={t('source.corpId')} hint={t('source.corpIdHint')}>
              <input
                data-testid="wecom-corp-id"
                className="mono"
                value={draft.corpId}
                onChange={(e) => set({ corpId: e.target.value })}
                spellCheck={false}
              />
            </Field>
            <SecretInput
              label={t('source.archiveSecret')}
              hint={t('source.archiveSecretHint')}
              testId="wecom-secret"
              value={draft.archiveSecret}
              onChange={(archiveSecret) => set({ archiveSecret })}
              stored={stored('archiveSecret')}
            />
          </div>

          <fieldset className="keys">
            <legend>{t('source.keys')}</legend>
            <p className="muted">{t('source.keysHint')}</p>
            {mode.editing && secretIsSet(mode.secrets, 'privateKeys') ? (
              <p className="muted" data-testid="keys-stored">
                {t('source.keysStored')}
              </p>
            ) : null}
            {draft.privateKeys.map((key, i) => (
              <div className="key-row" key={key.uid}>
                <Field label={t('source.keyVersion')}>
                  <input
                    data-testid={`key-version-${i}`}
                    type="number"
                    min={1}
                    value={key.version}
                    onChange={(e) => setKey(i, { version: e.target.value })}
                  />
                </Field>
                <Field label={t('source.keyPem')}>
                  <textarea
                    data-testid={`key-pem-${i}`}
                    className="mono"
                    rows={5}
                    value={key.pem}
                    placeholder="-----BEGIN RSA PRIVATE KEY-----"
                    onChange={(e) => setKey(i, { pem: e.target.value })}
                    autoComplete="off"
                    spellCheck={false}
                  />
                </Field>
                <Button
                  variant="link"
                  testId={`key-remove-${i}`}
                  onClick={() => update((d) => ({ ...d, privateKeys: d.privateKeys.filter((_, j) => j !== i) }))}
                >
                  {t('source.keyRemove')}
                </Button>
              </div>
            ))}
            <Button
              testId="key-add"
              onClick={() =>
                update((d) => ({
                  ...d,
                  privateKeys: [...d.privateKeys, { uid: uid(), version: nextVersion(), pem: '' }],
                }))
              }
            >
              {t('source.keyAdd')}
            </Button>
          </fieldset>

          <Field label={t('source.sdkLibrary')} hint={t('source.sdkLibraryHint')}>
            <input
              data-testid="wecom-sdk-library"
              className="mono"
              value={draft.sdkLibrary}
              onChange={(e) => set({ sdkLibrary: e.target.value })}
              spellCheck={false}
            />
          </Field>
          <div className="grid-2">
            <Field label={t('source.proxy')} hint={t('source.proxyHint')}>
              <input
                data-testid="wecom-proxy"
                className="mono"
                value={draft.proxy}
                onChange={(e) => set({ proxy: e.target.value })}
                spellCheck={false}
              />
            </Field>
            <SecretInput
              label={t('source.proxyPassword')}
              testId="wecom-proxy-password"
              value={draft.proxyPassword}
              onChange={(proxyPassword) => set({ proxyPassword })}
              stored={stored('proxyPassword')}
            />
          </div>
        </>
      )}

      <div className="test-row">
        <Button testId="test-connection" busy={testing} onClick={() => void test()}>
          {testing ? t('source.testing') : t('source.test')}
        </Button>
      </div>
      <ErrorBanner error={error} />
      {result ? <CheckResultView result={result} /> : null}
    </div>
  );
}
