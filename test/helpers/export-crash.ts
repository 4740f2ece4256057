// An export run by the CLI in a child process that kills itself (SIGKILL) at its n-th item:
// what every crash-resume test of export starts from.
import { spawn } from 'node:child_process';
import { cliNodeArgs } from './cli-runtime.js';

/** Runs `export ...args` until its n-th item, and resolves with the signal it died of. */
export function exportKilledAt(nth: number, ...args: string[]): Promise<string | null> {
  const child = spawn(process.execPath, [...cliNodeArgs(), 'export', ...args], {
    env: { ...process.env, WXA_CRASH_AT: `export-item:${nth}` },
    stdio: 'ignore',
  });
  return new Promise((r) => child.on('exit', (_c, s) => r(s)));
}
