/**
 * Starts the console's listener and turns the usual failures (port taken, address not on this
 * machine, no permission for a low port) into one sentence that says what to do, so `serve`
 * can exit non-zero with it instead of archiving without the console it promised.
 */
import type { FastifyInstance } from 'fastify';

export type ListenResult = { ok: true; address: string } | { ok: false; message: string };

const ADVICE = 'pick another port with --port N (npm start -- --port N), or run without the console with --no-console';

export async function listenConsole(app: FastifyInstance, host: string, port: number): Promise<ListenResult> {
  try {
    return { ok: true, address: await app.listen({ host, port }) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${host}:${port}`;
    if (code === 'EADDRINUSE') {
      return {
        ok: false,
        message: `console: port ${port} on ${host} is already in use (another wechat-archiver or another program); stop it, or ${ADVICE}`,
      };
    }
    if (code === 'EACCES') {
      return {
        ok: false,
        message: `console: no permission to listen on ${where} (ports below 1024 need privileges); ${ADVICE}`,
      };
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      return {
        ok: false,
        message: `console: ${host} is not an address of this machine; set console.host or --host, or run with --no-console`,
      };
    }
    throw err;
  }
}

/** Listens where `--host`/`--port` say, else where the configuration's `console` section does. */
export function listenAsConfigured(
  app: FastifyInstance,
  flags: { host?: string; port?: string },
  console: { host: string; port: number },
): Promise<ListenResult> {
  return listenConsole(app, flags.host ?? console.host, flags.port !== undefined ? Number(flags.port) : console.port);
}
