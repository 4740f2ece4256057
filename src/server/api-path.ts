/**
 * What a request path means once every spelling trick a client or proxy may apply is undone:
 * percent-encoding (also doubled), backslashes, `;` parameters, repeated slashes, dot segments,
 * letter case and the absolute form of a request target. The web app's fallback uses it so that no spelling of an `/api` path is
 * answered with the app's index.html: a mistyped API call gets a JSON 404 it can act on.
 * Access is never decided here: the matched route's declared access decides (see access.ts).
 */

/** Rounds of percent-decoding: a proxy that decodes once more turns `%2561` into `a`. */
const DECODE_ROUNDS = 3;

function decodeOnce(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    // Malformed sequences elsewhere must not keep the valid ones encoded.
    return path.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}

/** The path of `rawUrl` normalised as the most lenient server or proxy on the way could read it. */
export function canonicalPath(rawUrl: string): string {
  let path = rawUrl.split(/[?#]/, 1)[0] ?? '';
  for (let i = 0; i < DECODE_ROUNDS; i++) {
    const next = decodeOnce(path);
    if (next === path) break;
    path = next;
  }
  // WHATWG URL reads `\` as `/`; then RFC 9112 3.2.2's absolute form (`GET http://host/api/users`).
  path = path.replace(/\\/g, '/').replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const out: string[] = [];
  for (const raw of path.split('/')) {
    // RFC 3986 3.3: `;` starts a segment's parameters, which some servers strip before routing.
    const seg = raw.split(';', 1)[0]!.trim();
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`.toLowerCase();
}

/** True when `rawUrl` names the API in any spelling (`/API//users/`, `/%61pi;x/users`, `/x/../api`). */
export function isApiPath(rawUrl: string): boolean {
  const path = canonicalPath(rawUrl);
  return path === '/api' || path.startsWith('/api/');
}
