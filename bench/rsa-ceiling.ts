/**
 * The physical ceiling of the pipeline: every archived message costs one RSA-2048 private
 * decryption (the record's random key). This measures that bare operation on every core at once,
 * in the same run as the benchmark it is compared with, because the machines are shared and noisy.
 */
import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { constants, createPrivateKey, privateDecrypt } = require('node:crypto');
const key = createPrivateKey(workerData.pem);
const block = Buffer.from(workerData.block, 'base64');
const until = Date.now() + workerData.ms;
let n = 0;
while (Date.now() < until) {
  for (let i = 0; i < 50; i++) privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, block);
  n += 50;
}
parentPort.postMessage(n);
`;

export interface RsaCeiling {
  threads: number;
  seconds: number;
  opsPerSecond: number;
  perCore: number;
}

export async function measureRsaCeiling(seconds = 5, threads = availableParallelism()): Promise<RsaCeiling> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const block = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from('x'.repeat(32)));
  // Sanity: the operation really is the one the pipeline does.
  privateDecrypt({ key: privateKey as KeyObject, padding: constants.RSA_NO_PADDING }, block);
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const counts = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(WORKER, {
            eval: true,
            workerData: { pem, block: block.toString('base64'), ms: seconds * 1000 },
          });
          w.once('message', (n: number) => resolve(n));
          w.once('error', reject);
        }),
    ),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  const opsPerSecond = total / seconds;
  return { threads, seconds, opsPerSecond, perCore: opsPerSecond / threads };
}
