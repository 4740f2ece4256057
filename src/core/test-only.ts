/**
 * Settings only the test suite may make, through environment variables it sets for its own
 * processes (and the child processes they start). Each trades something a real deployment needs
 * (hashing cost, fresh keys) for the suite's time on a shared CI machine, so a process that is not
 * under the test runner (`NODE_ENV=test`, which Vitest sets) refuses to start with one set rather
 * than run weakened without saying so.
 */
import { ArchiverError } from './errors.js';

/**
 * The value of the test-only variable `name`, or undefined when it is unset or empty. `effect`
 * says what it does, for the error a process outside the test suite gets.
 */
export function testOnlyVariable(
  name: string,
  effect: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (env.NODE_ENV !== 'test')
    throw new ArchiverError(
      'WXA_CONFIG_INVALID',
      `${name} ${effect} and is accepted only by the test suite (NODE_ENV=test); unset it`,
    );
  return raw;
}
