/**
 * Starting one SDK host process: fork host-main with Node's `advanced` IPC serialization (so
 * Buffers cross without base64), keep the last lines it writes for the error message when it
 * dies, and leave the parent's event loop free to exit (the supervisor's timers hold it open
 * while work is pending).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { siblingModule } from '../../../core/sibling-module.js';
import type { ChildMessage } from './protocol.js';

export interface Host {
  proc: ChildProcess;
  ready: boolean;
  /** false once given up (died, killed, closing): its messages are dropped */
  alive: boolean;
  exited: Promise<void>;
  /** the last lines it wrote, for the error message when it dies */
  tail: string[];
}

const TAIL_LINES = 5;

export function spawnHost(
  env: Record<string, string> | undefined,
  on: { onMessage: (msg: ChildMessage) => void; onExit: (what: string) => void },
): Host {
  const { path, execArgv } = siblingModule(import.meta.url, './host-main', { compiledUnderTest: true });
  const proc = fork(path, [], {
    serialization: 'advanced',
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const host: Host = {
    proc,
    ready: false,
    alive: true,
    tail: [],
    exited: new Promise((resolve) => proc.once('exit', () => resolve())),
  };
  // a caller that forgot close() must still be able to exit
  proc.unref();
  proc.channel?.unref();
  for (const stream of [proc.stdout, proc.stderr]) {
    (stream as { unref?: () => void } | null)?.unref?.();
    stream?.setEncoding('utf8');
    stream?.on('data', (text: string) => {
      for (const line of text.split('\n').filter((l) => l.trim() !== '')) host.tail.push(line.slice(0, 300));
      host.tail.splice(0, Math.max(0, host.tail.length - TAIL_LINES));
    });
  }
  proc.on('message', (msg) => on.onMessage(msg as ChildMessage));
  proc.on('exit', (code, signal) => on.onExit(signal ? `signal ${signal}` : `exit code ${code}`));
  proc.on('error', (err) => {
    // e.g. the fork itself failed; make sure no half-started process lingers
    proc.kill('SIGKILL');
    on.onExit(err.message);
  });
  return host;
}
