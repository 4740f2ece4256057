// canonicalPath undoes what clients and proxies do to a path, in any combination: a generated
// /api path stays an /api path through random encodings, case changes, doubled slashes, dot
// segments, `;` parameters, backslashes and the absolute form, and a web app path never
// becomes one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalPath, isApiPath } from './api-path.js';

const segment = fc.stringMatching(/^[a-z0-9@._-]{1,12}$/).filter((s) => s !== '.' && s !== '..');

/** One spelling step applied to a whole path. */
const step = fc.constantFrom<(p: string) => string>(
  (p) => p.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`),
  (p) => p.replace(/%/g, '%25'),
  (p) => p.toUpperCase(),
  (p) => p.replace(/\//g, '//'),
  (p) => p.replace(/\//g, '\\'),
  (p) => p.replace(/\/([^/]*)$/, '/%2F$1'),
  (p) => `/x/..${p}`,
  (p) => `/.${p}`,
  (p) => `${p}/`,
  (p) => `${p};v=1`,
  (p) => p.replace(/^\/api/, '/api;jsessionid=1'),
);

describe('canonicalPath', () => {
  it('keeps every spelling of an /api path an /api path', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.array(step, { maxLength: 5 }),
        fc.boolean(),
        (segs, steps, absolute) => {
          const spelled = steps.reduce((p, f) => f(p), `/api/${segs.join('/')}`);
          // RFC 9112 3.2.2 absolute form, around whatever the path became.
          const target = absolute ? `http://127.0.0.1${spelled}` : spelled;
          expect(isApiPath(target), target).toBe(true);
        },
      ),
    );
  });

  it('never takes a web app path for the API', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 4 }).filter((s) => s[0]!.toLowerCase() !== 'api'),
        (segs) => {
          expect(isApiPath(`/${segs.join('/')}`)).toBe(false);
        },
      ),
    );
    for (const p of ['/', '/mailboxes/api', '/apix/users', '/ap%69x', '/app/api']) expect(isApiPath(p), p).toBe(false);
  });

  it('resolves dot segments and strips parameters as a lenient server would', () => {
    expect(canonicalPath('/a/b/../../API//Users;x=1/?q=/api')).toBe('/api/users');
    expect(canonicalPath('/../../..')).toBe('/');
    expect(canonicalPath('/%E0%A4%A/%61pi')).toBe('/\u00e0\u00a4%a/api');
  });
});
