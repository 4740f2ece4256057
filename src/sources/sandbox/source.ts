/**
 * Opens the sandbox tenant as a connector's source: WeCom's record format read from the
 * generated dataset, its DecryptData run whole on the prepare threads.
 */
import { prepareModule } from '../prepare-module.js';
import type { OpenSource } from '../types.js';
import { financeSource } from '../wecom/source.js';
import { openSandbox } from './client.js';

export const openSandboxSource: OpenSource = async (cfg, { db, secrets }) => {
  if (cfg.source.kind !== 'sandbox') {
    throw new TypeError(`connector ${cfg.id}: a ${cfg.source.kind} source is not the sandbox`);
  }
  const client = await openSandbox(cfg.source.dir);
  return financeSource({
    cfg,
    client,
    corpId: client.corpId,
    keysDir: client.keysDir,
    secrets,
    ...(db ? { db } : {}),
    description: 'sandbox tenant opened',
    directory: async () => client.directory(),
    prepare: { module: prepareModule(import.meta.url, 'normalize') },
  });
};
