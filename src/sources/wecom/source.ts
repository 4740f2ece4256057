/**
 * A Source over the FinanceClient seam: the WeCom source (Tencent's library in its host process)
 * and the sandbox tenant (the same record format, its own client) both read, check, prepare
 * and fetch media through it; they differ in how they are opened and in their prepare module.
 */
import type { DirectorySnapshot } from '../../core/directory.js';
import type { Db } from '../../store/index.js';
import type { PrepareSpec, RuntimeSecrets, Source } from '../types.js';
import { checkFinanceSource, type FinanceCheckSetup } from './check.js';
import { refreshDirectory } from './directory-refresh.js';
import { loadKeyRing } from './keyring.js';
import { fetchAttachment } from './media.js';
import type { WecomPrepareSetup } from './normalize.js';
import { readChatData } from './read.js';

export interface FinanceSourceOptions extends Omit<FinanceCheckSetup, 'keys'> {
  description: string;
  /** private keys from the secret store (console connectors), besides those in keysDir */
  secrets: RuntimeSecrets;
  /** the prepare module (see PrepareSpec) and, for a split step, the main thread's answer */
  prepare: Pick<PrepareSpec, 'module' | 'answer'>;
  directory: () => Promise<DirectorySnapshot>;
  /** the store whose directory cache a refresh fills (none: no refresh) */
  db?: Db;
}

export function financeSource(opts: FinanceSourceOptions): Source {
  const keys = opts.secrets.privateKeys?.length ? opts.secrets.privateKeys : undefined;
  const o = { ...opts, ...(keys ? { keys } : {}) };
  const { client, db } = o;
  const setup: WecomPrepareSetup = { corpId: o.corpId, keysDir: o.keysDir, ...(keys ? { keys } : {}) };
  const head = client.headSeq?.bind(client);
  return {
    description: o.description,
    prepare: { ...o.prepare, setup },
    ...(db ? { refreshDirectory: (now: number) => refreshDirectory(db, o.cfg, now) } : {}),
    directory: o.directory,
    keyVersions: async () => (await loadKeyRing(o.keysDir, o.keys)).versions(),
    check: (cursor) => checkFinanceSource(o, cursor),
    read: (cursor) => readChatData(client, cursor),
    fetchMedia: (ref, ctx) => fetchAttachment({ ...ctx, client }, ref),
    ...(head ? { head } : {}),
    close: () => client.close(),
  };
}
