// An export run by the CLI in a child process that kills itself (SIGKILL) at its n-th item:
// what every crash-resume test of export starts from.
import { spawnCli } from './cli-process.js';

/** Runs `export ...args` until its n-th item, and resolves with the signal it died of. */
export async function exportKilledAt(nth: number, ...args: string[]): Promise<string | null> {
  return (await spawnCli(['export', ...args], { env: { WXA_CRASH_AT: `export-item:${nth}` } }).done).signal;
}
