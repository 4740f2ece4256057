/**
 * Supervises the SDK host process (host-main.ts): starts it, sends it requests, kills it when a
 * call outlives the watchdog, restarts it with backoff after a crash or hang and sends the call
 * that was running again (a bounded number of times). The closed vendor library can then
 * segfault, abort or hang without taking the service down or losing a call.
 *
 * Requests go in batches (DecryptData calls together, a network call alone), a few batches ahead,
 * and the host answers them strictly in order, so the oldest unanswered batch is the one
 * running: the watchdog times it, and when the host dies a call running alone is charged an
 * attempt while the calls of a larger batch become suspects that go again one by one (so a call
 * that crashes the library is always caught alone). Each call settles once: answers from a host
 * that was given up are dropped by their listener's `alive` check.
 */
import { ArchiverError } from '../../../core/errors.js';
import { SDK_ERRORS, SdkError } from '../client.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { isRetryableCode } from './classify.js';
import { spawnHost, type Host } from './host-spawn.js';
import type { ChildMessage, HostReply, HostRequest, InitMessage, ParentMessage } from './protocol.js';
import type { HostLogger, HostStats } from './types.js';
import { describeRequest as describe } from './protocol.js';

export interface HostProcessOptions extends Omit<InitMessage, 'type'> {
  /** watchdog: ms a call may take before the host is killed */
  timeoutMs: number;
  /** ms the host may take to load the library and Init (a loaded machine starts Node slowly) */
  startTimeoutMs: number;
  /** delay before restarting a host that crashed or hung */
  restart: BackoffPolicy;
  /** a call that was running when its host died this many times fails with WXA_SDK_CRASHED */
  maxCallAttempts: number;
  /** after this many failed starts in a row, waiting calls fail with WXA_SDK_UNAVAILABLE */
  maxStartFailures: number;
  /** batches sent ahead of the one running */
  window: number;
  /** DecryptData calls per batch */
  batchSize: number;
  /** extra environment for the host process */
  env?: Record<string, string>;
  logger?: HostLogger;
}

interface Pending {
  id: number;
  req: HostRequest;
  resolve: (reply: HostReply) => void;
  reject: (err: Error) => void;
  /** hosts that died while this call was running alone */
  attempts: number;
  /** was in a batch whose host died: goes alone until it is answered */
  suspect: boolean;
}

export class HostProcess {
  private host?: Host;
  private queue: Pending[] = [];
  /** batches sent to the current host, in order; [0] is running */
  private sent: Pending[][] = [];
  private pumpQueued = false;
  private watchdog?: NodeJS.Timeout;
  private startTimer?: NodeJS.Timeout;
  /** earliest time of the next start (restart backoff) */
  private notBefore = 0;
  /** host deaths since the last answer */
  private failures = 0;
  private startFailures = 0;
  private nextId = 1;
  private closing?: Promise<void>;
  private idleWaiters: (() => void)[] = [];
  readonly stats: HostStats = { starts: 0, crashes: 0, hangs: 0, replies: 0 };

  constructor(private readonly opts: HostProcessOptions) {}

  call(req: HostRequest): Promise<HostReply> {
    if (this.closing) return Promise.reject(new SdkError(10000, 'the Finance SDK client is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, req, resolve, reject, attempts: 0, suspect: false });
      // calls made in the same tick (a Promise.all over a batch of records) share IPC messages
      if (!this.pumpQueued) {
        this.pumpQueued = true;
        queueMicrotask(() => {
          this.pumpQueued = false;
          this.pump();
        });
      }
    });
  }

  /** Wait for the calls under way, then DestroySdk in the host and let it exit. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private pump(): void {
    if (this.queue.length === 0 && this.sent.length === 0) {
      for (const wake of this.idleWaiters.splice(0)) wake();
      return;
    }
    const host = this.host;
    if (!host) {
      this.scheduleStart();
      return;
    }
    if (!host.ready) return;
    while (this.sent.length < this.opts.window && this.queue.length > 0) {
      const batch = this.nextBatch();
      this.sent.push(batch);
      this.send(host, { type: 'calls', calls: batch.map((p) => ({ id: p.id, req: p.req })) });
      if (this.sent.length === 1) this.arm(host);
    }
  }

  /** Consecutive DecryptData calls up to batchSize; a network call or a suspect goes alone. */
  private nextBatch(): Pending[] {
    const batch = [this.queue.shift() as Pending];
    const alone = (p: Pending) => p.suspect || p.req.op !== 'decrypt';
    if (alone(batch[0] as Pending)) return batch;
    while (batch.length < this.opts.batchSize && this.queue.length > 0 && !alone(this.queue[0] as Pending)) {
      batch.push(this.queue.shift() as Pending);
    }
    return batch;
  }

  private send(host: Host, msg: ParentMessage): void {
    // a send to a host that just died fails; its exit handler requeues the calls
    host.proc.send(msg, (err) => {
      if (err) this.opts.logger?.warn({ err }, 'could not send to the Finance SDK host');
    });
  }

  private scheduleStart(): void {
    // also while closing: calls still queued need a host to finish before the close completes
    if (this.host || this.startTimer) return;
    this.startTimer = setTimeout(
      () => {
        this.startTimer = undefined;
        this.start();
      },
      Math.max(0, this.notBefore - Date.now()),
    );
  }

  private start(): void {
    const host = spawnHost(this.opts.env, {
      onMessage: (msg) => this.onMessage(host, msg),
      onExit: (what) => this.onDeath(host, what, 'crash'),
    });
    this.host = host;
    this.stats.starts++;
    const { libraryPath, corpId, secret, proxy, passwd, sdkTimeoutSec } = this.opts;
    this.send(host, { type: 'init', libraryPath, corpId, secret, proxy, passwd, sdkTimeoutSec });
    this.arm(host);
  }

  private arm(host: Host): void {
    clearTimeout(this.watchdog);
    const ms = host.ready ? this.opts.timeoutMs : this.opts.startTimeoutMs;
    this.watchdog = setTimeout(() => {
      if (!host.alive) return;
      host.proc.kill('SIGKILL');
      this.onDeath(host, `did not answer within ${ms} ms and was killed`, 'hang');
    }, ms);
  }

  private disarm(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  private onMessage(host: Host, msg: ChildMessage): void {
    if (!host.alive) return;
    if (msg.type === 'ready') {
      host.ready = true;
      this.startFailures = 0;
      this.disarm();
      this.pump();
    } else if (msg.type === 'init-failed') {
      this.onInitFailed(host, msg);
    } else if (msg.type === 'replies') {
      const at = this.sent.findIndex((batch) => batch[0]?.id === msg.replies[0]?.id);
      if (at < 0) return;
      const [batch] = this.sent.splice(at, 1) as [Pending[]];
      this.failures = 0;
      if (this.sent.length > 0) this.arm(host);
      else this.disarm();
      const byId = new Map(msg.replies.map(({ id, ...reply }) => [id, reply]));
      for (const p of batch) {
        const reply = byId.get(p.id);
        this.stats.replies++;
        if (reply) p.resolve(reply);
        else p.reject(new ArchiverError('WXA_INTERNAL', `the Finance SDK host did not answer ${describe(p.req)}`));
      }
      this.pump();
    }
  }

  private onInitFailed(host: Host, msg: Extract<ChildMessage, { type: 'init-failed' }>): void {
    host.alive = false;
    this.host = undefined;
    this.disarm();
    host.proc.kill('SIGKILL');
    if (msg.stage === 'init' && msg.code !== undefined && isRetryableCode(msg.code)) {
      this.onStartFailure(`Init returned ${msg.code}`);
      return;
    }
    const why =
      msg.stage === 'load'
        ? `cannot load the Finance SDK library ${this.opts.libraryPath} (${msg.message}); download libWeWorkFinanceSdk_C.so (Linux x86-64 or ARM64, glibc) from Tencent and set the connector's sdkLibrary to its path`
        : `the Finance SDK's Init failed for corp ${this.opts.corpId} with ${msg.code ?? 'an error'} (${(msg.code !== undefined && SDK_ERRORS[msg.code]?.meaning) || msg.message}); check the connector's corpId and archive secret`;
    this.backOff();
    this.rejectAll(new ArchiverError('WXA_SDK_UNAVAILABLE', why));
  }

  /** The host died (crash) or was killed (hang): requeue its calls, charge the running one, restart later. */
  private onDeath(host: Host, what: string, kind: 'crash' | 'hang'): void {
    if (!host.alive) return;
    host.alive = false;
    if (this.host === host) this.host = undefined;
    this.disarm();
    this.stats[kind === 'crash' ? 'crashes' : 'hangs']++;
    this.stats.lastExit = what;
    const output = host.tail.length > 0 ? `; its last output: ${host.tail.join(' | ')}` : '';
    if (!host.ready) {
      this.onStartFailure(`${what}${output}`);
      return;
    }
    const batches = this.sent.splice(0);
    const running = batches[0] ?? [];
    const requeue = batches.slice(1).flat();
    const alone = running.length === 1 ? running[0] : undefined;
    this.opts.logger?.warn(
      { what, call: running[0] && describe(running[0].req), batch: running.length },
      'the Finance SDK host process died; restarting it',
    );
    if (alone && ++alone.attempts >= this.opts.maxCallAttempts) {
      alone.reject(
        new ArchiverError(
          'WXA_SDK_CRASHED',
          `during ${describe(alone.req)} the Finance SDK host process ${what} (${alone.attempts} times); the call is given up and the next run retries it${output}`,
        ),
      );
    } else if (alone) {
      requeue.unshift(alone);
    } else {
      for (const p of running) p.suspect = true;
      requeue.unshift(...running);
    }
    this.queue.unshift(...requeue);
    this.backOff();
    this.pump();
  }

  /** The next start waits longer after each failure in a row. */
  private backOff(): void {
    this.notBefore = Date.now() + backoffDelay(this.failures++, this.opts.restart);
  }

  private onStartFailure(what: string): void {
    this.backOff();
    this.opts.logger?.warn({ what, failures: this.startFailures + 1 }, 'the Finance SDK host process failed to start');
    if (++this.startFailures >= this.opts.maxStartFailures) {
      this.startFailures = 0;
      this.rejectAll(
        new ArchiverError(
          'WXA_SDK_UNAVAILABLE',
          `the Finance SDK host process failed to start ${this.opts.maxStartFailures} times in a row (last: ${what}); check that the library matches this machine (Linux x86-64 or ARM64 with glibc)`,
        ),
      );
      return;
    }
    this.pump();
  }

  private rejectAll(err: Error): void {
    for (const p of [...this.sent.splice(0).flat(), ...this.queue.splice(0)]) p.reject(err);
    this.pump();
  }

  private async shutdown(): Promise<void> {
    if (this.queue.length > 0 || this.sent.length > 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    clearTimeout(this.startTimer);
    this.disarm();
    const host = this.host;
    this.host = undefined;
    if (!host?.alive) return;
    host.alive = false;
    if (host.ready) {
      // no call is under way: the host destroys the SDK and exits
      this.send(host, { type: 'close' });
      const timer = setTimeout(() => host.proc.kill('SIGKILL'), this.opts.timeoutMs);
      await host.exited;
      clearTimeout(timer);
    } else {
      host.proc.kill('SIGKILL');
      await host.exited;
    }
  }
}
