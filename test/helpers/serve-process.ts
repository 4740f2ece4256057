/**
 * `wechat-archiver serve` as a real child process for the console's end-to-end tests and the
 * screenshot script: its own data directory and a free port, the console address and the
 * one-time setup token read from its stderr, and a SIGTERM stop that waits for a clean exit.
 * The process's output is kept so that a failing test can say what the service said.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir } from './cli.js';
import { cliNodeArgs } from './cli-runtime.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** From the sources, tsx compiles the CLI on first start; a cold start on a slow CI machine takes a while. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export interface ServeOptions {
  /** keep the sandbox demo connector that serve creates when nothing is configured (default false) */
  demo?: boolean;
  /** seconds between runs of every connector (default 5) */
  intervalSeconds?: number;
  /** extra command-line arguments */
  args?: string[];
}

export interface ServeProcess {
  /** the console's base address, without the trailing slash */
  url: string;
  /** the one-time token for the first administrator (the data directory is always fresh) */
  setupToken: string;
  dataDir: string;
  /** everything the process wrote to stderr so far (logs, run errors) */
  stderr(): string;
  stdout(): string;
  /**
   * Waits until stderr holds `text` (the console's address and token come before the rest of
   * the process has started: e.g. `serve --role`'s "running as" line follows them).
   */
  waitForStderr(text: string, timeoutMs?: number): Promise<void>;
  /** SIGTERM, wait for the exit (SIGKILL after a timeout), remove the data directory */
  stop(): Promise<void>;
}

const CONSOLE_LINE = /console: (http:\/\/127\.0\.0\.1:\d+)\//;
const TOKEN_LINE = /one-time setup token:\n\n {4}(\S+)\n\n/;

export async function startServe(opts: ServeOptions = {}): Promise<ServeProcess> {
  const dir = await tempDir('serve');
  const args = [
    ...cliNodeArgs(),
    'serve',
    '--data-dir',
    dir.path,
    '--port',
    '0',
    '--workers',
    '0',
    '--interval',
    String(opts.intervalSeconds ?? 5),
    ...(opts.demo ? [] : ['--no-demo']),
    ...(opts.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // A master key from the developer's environment must not leak into the test's store.
    env: withoutWxa(process.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async () => {
    await terminate(child, exited);
    await dir.cleanup();
  };

  try {
    const { url, token } = await waitForStart(child, () => stderr, exited);
    const waitForStderr = async (text: string, timeoutMs = 60_000) => {
      const seen = await untilStderr(
        () => stderr,
        exited,
        timeoutMs,
        (t) => t.includes(text) || undefined,
      );
      if (seen !== true) throw new Error(`serve never wrote ${JSON.stringify(text)} to stderr:\n${stderr}`);
    };
    return {
      url,
      setupToken: token,
      dataDir: dir.path,
      stderr: () => stderr,
      stdout: () => stdout,
      waitForStderr,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The suite's lower password-hashing cost is the one WXA_ variable the child keeps. */
const KEPT = new Set(['WXA_TEST_SCRYPT_LOG2N']);

function withoutWxa(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('WXA_') || KEPT.has(k)));
}

/**
 * Reads the process's stderr every 50 ms until `found` gives a value; `exited` or `timeout` when
 * the process exited or the time ran out first.
 */
async function untilStderr<T>(
  stderr: () => string,
  exited: Promise<number | null>,
  timeoutMs: number,
  found: (text: string) => T | undefined,
): Promise<T | { exited: number | null } | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  while (Date.now() < deadline) {
    const value = found(stderr());
    if (value !== undefined) return value;
    if (exitCode !== undefined) return { exited: exitCode };
    await new Promise((r) => setTimeout(r, 50));
  }
  return 'timeout';
}

/** Resolves once the console listens and the setup token is printed. */
async function waitForStart(
  child: ChildProcess,
  stderr: () => string,
  exited: Promise<number | null>,
): Promise<{ url: string; token: string }> {
  const started = await untilStderr(stderr, exited, START_TIMEOUT_MS, (text) => {
    const url = CONSOLE_LINE.exec(text)?.[1];
    const token = TOKEN_LINE.exec(text)?.[1];
    // A fresh data directory has no administrator, so the token always follows the address.
    return url && token ? { url, token } : undefined;
  });
  if (started === 'timeout') {
    child.kill('SIGKILL');
    throw new Error(`serve did not start within ${START_TIMEOUT_MS / 1000} s:\n${stderr()}`);
  }
  if ('exited' in started)
    throw new Error(`serve exited with ${String(started.exited)} before the console started:\n${stderr()}`);
  return started;
}

async function terminate(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `fn`; when it throws, the error carries the end of what the service printed. */
export async function explainFailure<T>(serve: ServeProcess, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const tail = (text: string) => text.split('\n').slice(-30).join('\n');
    const log = `--- serve stderr ---\n${tail(serve.stderr())}\n--- serve stdout ---\n${tail(serve.stdout())}`;
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${log}`, { cause: err });
  }
}
