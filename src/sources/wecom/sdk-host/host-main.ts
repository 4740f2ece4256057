/**
 * Entry point of the SDK host process (forked by host-process.ts; starts only when it has an
 * IPC channel). It loads the vendor library, opens one SDK session and answers one request at a
 * time, so a crash or hang of the closed library costs this process, never the service.
 */
import { describeError } from '../../../core/errors.js';
import { InitFailed, SdkSession, loadFinanceLibrary } from './binding.js';
import type { ChildMessage, HostReply, HostRequest, InitMessage, ParentMessage } from './protocol.js';

let session: SdkSession | undefined;

function send(msg: ChildMessage): void {
  process.send?.(msg);
}

/** DestroySdk (once, between calls: handlers run one at a time) and leave. */
function shutdown(code: number): never {
  const s = session;
  session = undefined;
  s?.destroy();
  process.exit(code);
}

function init(msg: InitMessage): void {
  let lib;
  try {
    lib = loadFinanceLibrary(msg.libraryPath);
  } catch (err) {
    send({ type: 'init-failed', stage: 'load', message: describeError(err) });
    process.exit(1);
  }
  try {
    session = SdkSession.open(lib, msg.corpId, msg.secret, msg);
  } catch (err) {
    // an SDK whose Init failed is left alone: using or destroying it crashes some library versions
    const code = err instanceof InitFailed ? err.code : undefined;
    send({ type: 'init-failed', stage: 'init', ...(code !== undefined ? { code } : {}), message: describeError(err) });
    process.exit(1);
  }
  send({ type: 'ready' });
}

function handle(req: HostRequest): HostReply {
  if (!session) return { code: -1, error: 'no SDK session (Init has not succeeded)' };
  try {
    switch (req.op) {
      case 'chat':
        return session.getChatData(req.seq, req.limit);
      case 'decrypt':
        return session.decryptData(req.encryptKey, req.encryptChatMsg);
      case 'media':
        return session.getMediaData(req.sdkfileid, req.indexbuf);
    }
  } catch (err) {
    return { code: -1, error: describeError(err) };
  }
}

function main(): void {
  process.on('message', (raw) => {
    const msg = raw as ParentMessage;
    if (msg.type === 'init') init(msg);
    else if (msg.type === 'calls')
      send({ type: 'replies', replies: msg.calls.map((c) => ({ id: c.id, ...handle(c.req) })) });
    else if (msg.type === 'close') shutdown(0);
  });
  // The parent decides when the SDK is destroyed (never during a call): a terminal's Ctrl-C
  // reaches the whole process group, and the parent then closes us between calls. SIGTERM keeps
  // its default so an operator can still end a stuck host; the parent restarts it.
  process.on('SIGINT', () => undefined);
  // the parent is gone (crashed or killed): nobody can use the answers any more
  process.on('disconnect', () => shutdown(0));
}

if (process.send !== undefined) main();
