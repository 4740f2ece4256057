// Plumbing of the Graph emulator: reading a request body under the size limit, and a fetch
// that sends requests for public Microsoft hosts to the emulator (saying which host was asked
// for in an RFC 7239 Forwarded header, as a reverse proxy would).
import type { IncomingMessage } from 'node:http';

export async function readBody(req: IncomingMessage, max: number): Promise<{ body: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Keep reading (the client is still sending) but stop storing past the limit.
    if (size <= max) chunks.push(chunk);
  }
  return { body: Buffer.concat(chunks), tooLarge: size > max };
}

export function forwardingFetch(emulatorOrigin: string, origins: string[]): typeof fetch {
  return (input, init) => {
    const u = input instanceof Request ? input.url : String(input);
    const from = origins.find((o) => u.startsWith(o));
    if (!from) return fetch(u, init);
    const headers = new Headers(init?.headers);
    const asked = new URL(from);
    headers.set('forwarded', `host=${asked.host};proto=${asked.protocol.replace(':', '')}`);
    return fetch(emulatorOrigin + u.slice(from.length), { ...init, headers });
  };
}
