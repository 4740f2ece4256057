/** Runs verify through the console API as the Integrity page does: start the job, poll it to its end. */
import { expect } from 'vitest';
import type { IntegrityVerifyJob, IntegrityVerifyResult } from '../../src/server/contract.js';
import type { Client } from './console.js';

export async function runVerify(client: Client, body: object): Promise<IntegrityVerifyResult> {
  const r = await client.request('POST', '/api/integrity/verify', body);
  expect(r.statusCode).toBe(202);
  let job = r.json<IntegrityVerifyJob>();
  expect(job).toMatchObject({ state: 'running', result: null });
  while (job.state === 'running') {
    // A pause between polls, as the page makes: the run needs the event loop to read files.
    await new Promise((resolve) => setTimeout(resolve, 20));
    job = await client.json<IntegrityVerifyJob>('GET', `/api/integrity/verify/${job.id}`);
  }
  expect(job.state).toBe('done');
  expect(job.finishedAt).not.toBeNull();
  return job.result!;
}
