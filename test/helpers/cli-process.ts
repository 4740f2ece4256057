/**
 * The CLI as a real child process (compiled, or from the TypeScript sources: see cli-runtime.ts),
 * with its output collected: for tests that need a process of its own (locks, SIGKILL, injected
 * faults, umask).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cliNodeArgs } from './cli-runtime.js';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliChild {
  proc: ChildProcess;
  done: Promise<ChildResult>;
}

export function spawnCli(args: string[], opts: { env?: NodeJS.ProcessEnv; umask?: string } = {}): CliChild {
  const argv = [process.execPath, ...cliNodeArgs(), ...args];
  const env = { ...process.env, ...opts.env };
  // A umask is a property of the process: set by the shell that then becomes the CLI (exec).
  const proc = opts.umask
    ? spawn('/bin/sh', ['-c', `umask ${opts.umask} && exec "$@"`, 'sh', ...argv], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env,
      })
    : spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<ChildResult>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { proc, done };
}

/**
 * `serve --role ROLE` on a PostgreSQL database as a child process, as the several-process tests
 * run it: checking every second (unless told another interval), the given lease length, one prepare thread.
 */
export function spawnRole(
  role: 'capture' | 'worker',
  opts: { config: string; url: string; leaseSeconds: number; intervalSeconds?: number },
): CliChild {
  return spawnCli([
    'serve',
    '--role',
    role,
    '--config',
    opts.config,
    '--database',
    opts.url,
    '--interval',
    String(opts.intervalSeconds ?? 1),
    '--lease-seconds',
    String(opts.leaseSeconds),
    '--workers',
    '1',
  ]);
}

/**
 * Asks a child to stop (SIGTERM) and waits for it. One that has not exited after `graceMs` is
 * killed (SIGKILL), so the test's clean-up still runs, and the answer names it with the end of its
 * stderr: a process that does not stop when asked is a failure to report, not to wait out.
 */
export async function stopChild(c: CliChild, graceMs = 60_000): Promise<string | undefined> {
  c.proc.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const exited = await Promise.race([
    c.done.then(() => true),
    new Promise<false>((r) => (timer = setTimeout(() => r(false), graceMs))),
  ]);
  clearTimeout(timer);
  if (exited) return undefined;
  c.proc.kill('SIGKILL');
  const r = await c.done;
  const args = c.proc.spawnargs.slice(-12).join(' ');
  return `pid ${c.proc.pid} (${args}) had not exited ${graceMs} ms after SIGTERM; its stderr ended:\n${r.stderr.split('\n').slice(-15).join('\n')}`;
}

/** Stops every child with stopChild, then fails naming those that did not stop when asked. */
export async function stopChildren(children: readonly CliChild[]): Promise<() => void> {
  const hung: string[] = [];
  for (const c of children) {
    const h = await stopChild(c);
    if (h) hung.push(h);
  }
  return () => {
    if (hung.length) throw new Error(hung.join('\n\n'));
  };
}
