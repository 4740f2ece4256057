/**
 * tenant.json: what a sandbox dataset is (corp, directory, keys, counts, faults) and where its
 * stream ends, so the client can serve it and appendMessages can continue it.
 */
import { wellFormedDeep } from '../../core/well-formed.js';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DirectorySnapshot } from '../../core/directory.js';
import { ArchiverError } from '../../core/errors.js';
import type { FaultEntry } from './faults.js';
import type { PemFormat } from './keys.js';

export const TENANT_FILE = 'tenant.json';
export const CHATDATA_FILE = 'chatdata.jsonl';
export const MEDIA_DIR = 'media';
export const FORMAT = 'wechat-archiver-sandbox/1';

export interface KeyVersionInfo {
  version: number;
  /** path of the private key PEM, relative to the dataset */
  file: string;
  format: PemFormat;
  /** not in keys/: records under it fail with "no private key" until it is added */
  withheld: boolean;
  /** records encrypted under this version */
  records: number;
}

/** What generateTenant and appendMessages report; tenant.json without the directory. */
export interface TenantSummary {
  format: typeof FORMAT;
  seed: number;
  corpId: string;
  corpName: string;
  keyVersions: KeyVersionInfo[];
  counts: {
    /** lines in chatdata.jsonl */
    records: number;
    generated: number;
    included: number;
    /** per msgtype (`switch` for switch events) */
    byType: Record<string, number>;
    /** entries of media/index.json */
    mediaIds: number;
    /** included sdkfileids without bytes (no --media manifest) */
    unresolvedMedia: number;
  };
  /** seq and msgtime (ms) of the first and last record */
  first: { seq: string; time: number } | null;
  last: { seq: string; time: number } | null;
  faults: FaultEntry[];
  /** how many appendMessages batches followed the generation */
  appendedBatches: number;
}

export interface TenantInfo extends TenantSummary {
  directory: DirectorySnapshot;
}

export async function readTenant(dir: string): Promise<TenantInfo> {
  const path = join(dir, TENANT_FILE);
  let info: TenantInfo;
  try {
    // The tenant's directory names become text columns: lone surrogates made U+FFFD as for WeCom's.
    info = wellFormedDeep(JSON.parse(await readFile(path, 'utf8')) as TenantInfo).value;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const missing = code === 'ENOENT' || code === 'ENOTDIR';
    throw new ArchiverError(
      missing ? 'WXA_CONFIG_NOT_FOUND' : 'WXA_CONFIG_INVALID',
      missing ? `${dir} is not a sandbox tenant (no ${TENANT_FILE}); generate one first` : `${path} is not valid JSON`,
      { cause: err },
    );
  }
  if (info.format !== FORMAT) {
    throw new ArchiverError('WXA_CONFIG_INVALID', `${path}: format ${String(info.format)} is not ${FORMAT}`);
  }
  return info;
}

/** Replace tenant.json atomically; it is written last, so its presence means the dataset is complete. */
export async function writeTenant(dir: string, info: TenantInfo): Promise<void> {
  const tmp = join(dir, `${TENANT_FILE}.tmp`);
  await writeFile(tmp, `${JSON.stringify(info, null, 2)}\n`);
  await rename(tmp, join(dir, TENANT_FILE));
}

export function summaryOf(info: TenantInfo): TenantSummary {
  const { directory: _directory, ...summary } = info;
  return summary;
}
