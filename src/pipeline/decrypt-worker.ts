/** Worker thread body of the prepare pool: one key ring and one set of lookups per thread. */
import { workerData } from 'node:worker_threads';
import { loadKeyRing, prepareOne, type PreparedResult, type PrepareSetup } from './decrypt.js';
import { buildLookups } from './prepare.js';

const setup = workerData as PrepareSetup;
const ring = loadKeyRing(setup.keysDir);
const lookups = buildLookups(setup.directory, setup.mapping);

export default async function prepareBatch(records: string[]): Promise<PreparedResult[]> {
  const keyring = await ring;
  const out: PreparedResult[] = [];
  for (const r of records) out.push(await prepareOne(r, keyring, lookups, setup));
  return out;
}
