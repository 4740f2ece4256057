/** Worker thread body of the decrypt pool: keeps one key ring per thread and decrypts batches. */
import { workerData } from 'node:worker_threads';
import { decryptOne, loadKeyRing, type DecryptResult, type DecryptSetup } from './decrypt.js';

const setup = workerData as DecryptSetup;
const ring = loadKeyRing(setup.keysDir);

export default async function decryptBatch(records: string[]): Promise<DecryptResult[]> {
  const keyring = await ring;
  const out: DecryptResult[] = [];
  for (const r of records) out.push(await decryptOne(r, keyring, setup));
  return out;
}
