/**
 * A small node:http server for the callback handler, for deployments without another HTTP
 * server to mount it on. It listens on 127.0.0.1 by default: WeCom must reach it over the
 * internet, which an operator arranges with a reverse proxy that terminates TLS.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallbackHandler } from './handler.js';

/** Callback bodies are a few hundred bytes; anything far larger is not WeCom. */
export const MAX_CALLBACK_BODY = 64 * 1024;

export interface CallbackServerOptions {
  port: number;
  /** default 127.0.0.1 */
  host?: string;
  /** default /wecom/callback */
  path?: string;
  handler: CallbackHandler;
  /** told why a request was refused (never the request's content) */
  logger?: { warn(obj: object, msg: string): void };
}

export interface CallbackServer {
  url: string;
  close(): Promise<void>;
}

export async function startCallbackServer(opts: CallbackServerOptions): Promise<CallbackServer> {
  const host = opts.host ?? '127.0.0.1';
  const path = opts.path ?? '/wecom/callback';

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://callback');
    const send = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
    };
    if (url.pathname !== path) return send(404, '');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_CALLBACK_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_CALLBACK_BODY) return send(413, '');
      const out = opts.handler({
        method: req.method ?? '',
        query: Object.fromEntries(url.searchParams),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (out.rejected) opts.logger?.warn({ status: out.status, reason: out.rejected }, 'WeCom callback refused');
      send(out.status, out.body);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}${path}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
