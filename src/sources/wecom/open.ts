/**
 * Opens the WeCom source of a connector: the archive secret (from the secret store or the
 * environment variable the configuration names), Tencent's library in its supervised host
 * process, and the directory from the cache the directory client keeps filled.
 */
import { ArchiverError } from '../../core/errors.js';
import { loadDirectory } from '../../store/index.js';
import { prepareModule } from '../prepare-module.js';
import type { OpenSource } from '../types.js';
import { SDK_ERRORS, SdkError } from './client.js';
import type { DecryptAsk } from './normalize.js';
import { createSdkClient } from './sdk-host/index.js';
import { financeSource } from './source.js';

export const openWecomSource: OpenSource = async (cfg, { db, secrets, logger }) => {
  const src = cfg.source;
  if (src.kind !== 'wecom') throw new TypeError(`connector ${cfg.id}: a ${src.kind} source is not a WeCom source`);
  const secret = secrets.archiveSecret ?? process.env[src.secretEnv];
  if (!secret) {
    throw new ArchiverError(
      'WXA_CONFIG_INVALID',
      `connector ${cfg.id}: the archive secret is read from $${src.secretEnv}, which is not set; export it (the 会话内容存档 Secret from the WeCom admin console)`,
    );
  }
  const passwd = secrets.proxyPassword ?? (src.proxyPasswordEnv ? process.env[src.proxyPasswordEnv] : undefined);
  const client = createSdkClient({
    libraryPath: src.sdkLibrary,
    corpId: src.corpId,
    secret,
    proxy: src.proxy,
    ...(passwd ? { passwd } : {}),
    timeoutMs: src.timeoutSeconds * 1000,
    ...(logger ? { logger: logger.child({ component: 'sdk-host' }) } : {}),
  });
  return financeSource({
    cfg,
    client,
    corpId: src.corpId,
    keysDir: src.keysDir,
    secrets,
    ...(db ? { db } : {}),
    description: `library ${src.sdkLibrary} configured`,
    // The directory comes from the cache the directory client keeps filled; ids alone still map
    // through the CSV and the address template.
    directory: async () => {
      const dir = db ? await loadDirectory(db, cfg.id) : { corpId: src.corpId, corpName: '', people: [], rooms: [] };
      return { ...dir, corpId: src.corpId };
    },
    prepare: {
      module: prepareModule(import.meta.url, 'normalize'),
      answer: async (ask) => {
        const { key, data } = ask as DecryptAsk;
        try {
          return await client.decryptData(key, data);
        } catch (err) {
          throw decryptFailure(err);
        }
      },
    },
  });
};

/** A coded library error is a verdict on the record unless the vendor marks its code retryable. */
function decryptFailure(err: unknown): unknown {
  if (!(err instanceof SdkError)) return err;
  const retry = SDK_ERRORS[err.sdkCode]?.retry ?? true;
  return new ArchiverError(retry ? 'WXA_SOURCE_FAILED' : 'WXA_DECRYPT_FAILED', err.message, { cause: err });
}
