// The CLI under `| head`: when the reader of its output goes away, a command stops at once and
// quietly with the status a shell reports for a command SIGPIPE ended (141), as `cat` or
// `git log` do, instead of an unhandled EPIPE error and its stack trace.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLOSED_OUTPUT_EXIT } from '../src/cli/io.js';
import { cliNodeArgs } from './helpers/cli-runtime.js';

function runWithClosedReader(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, [...cliNodeArgs(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  // the reader is gone before the command writes anything (it takes some 100 ms to start)
  proc.stdout.destroy();
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, stderr })));
}

describe('a command whose output is no longer read', () => {
  it('stops with 141 and prints nothing on standard error', async () => {
    const r = await runWithClosedReader(['config', 'schema']);
    expect(CLOSED_OUTPUT_EXIT).toBe(141);
    expect(r).toEqual({ code: 141, stderr: '' });
  });

  it('leaves the status of a command that writes only to standard error as it was', async () => {
    const r = await runWithClosedReader(['search']);
    // nothing written to standard output: the usage error is on standard error and the status is the command's own
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing required argument/);
  });
});
