// The one registry: every WXA_ name written anywhere in the server or the console is either a
// registered error code (with its meaning, kind and HTTP status) or one of the few environment
// variables the product reads; nothing else may start with WXA_.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArchiverError, ERROR_CODES, isErrorCode, statusOf, type ErrorCode } from './errors.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Environment variables, not error codes; each with where it is read. */
const ENVIRONMENT_VARIABLES: Record<string, string> = {
  WXA_DATA_DIR: 'the data directory (config/load.ts)',
  WXA_LOG_LEVEL: 'the log level (config/load.ts)',
  WXA_MASTER_KEY: 'the master key of the secret store (security/)',
  WXA_CRASH_AT: 'crash points of the crash tests (core/fault-points.ts)',
  WXA_FAULT_AT: 'injected failures of the failure tests (core/fault-points.ts)',
  WXA_WECOM_SECRET: 'default name of the variable holding the archive secret (config/schema.ts)',
  WXA_CONSOLE_SECRET_UNUSED: 'placeholder variable name of console connectors, whose secret is in the store',
  WXA_TEST_SCRYPT_LOG2N: "the test suite's password hashing cost (security/passwords.ts)",
  WXA_TEST_SANDBOX_KEYS: "the test suite's one set of sandbox keys (sources/sandbox/keys.ts)",
  WXA_TEST_CLI: "whether the test run's child processes run the compiled code (core/sibling-module.ts)",
  WXA_TEST_IMAP_PASSWORD: 'a variable the configuration tests set',
  WXA_TEST_GRAPH_KEY: 'a variable the configuration tests set',
  WXA_DATABASE_URL: 'the PostgreSQL URL of the store (cli/database.ts)',
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|tsx)$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('error registry', () => {
  it('has a kind, a meaning and an HTTP error status for every code', () => {
    const kinds = new Set(['config', 'auth', 'transient', 'throttled', 'permanent', 'data']);
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^WXA_[A-Z][A-Z0-9_]+$/);
      expect(kinds.has(info.kind), code).toBe(true);
      expect(info.meaning.length, code).toBeGreaterThan(10);
      expect(info.status, code).toBeGreaterThanOrEqual(400);
      expect(info.status, code).toBeLessThan(600);
      expect(statusOf(code as ErrorCode)).toBe(info.status);
    }
    expect(statusOf('WXA_NOT_FOUND')).toBe(404);
    expect(statusOf('WXA_UNAUTHENTICATED')).toBe(401);
    expect(statusOf('WXA_INTERNAL')).toBe(500);
    expect(new ArchiverError('WXA_DEST_THROTTLED', 'wait').retryable).toBe(true);
    expect(isErrorCode('WXA_CSRF')).toBe(true);
    expect(isErrorCode('WXA_MASTER_KEY')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
  });

  it('holds every WXA_ name in src/ and web/src, except the environment variables', () => {
    const unknown = new Map<string, string>();
    let seen = 0;
    for (const file of [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'web', 'src'))]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bWXA_[A-Z0-9_]+/g)) {
        seen++;
        const name = m[0];
        if (!isErrorCode(name) && !(name in ENVIRONMENT_VARIABLES)) unknown.set(name, file.slice(ROOT.length + 1));
      }
    }
    expect(seen).toBeGreaterThan(100);
    expect(Object.fromEntries(unknown)).toEqual({});
    for (const name of Object.keys(ENVIRONMENT_VARIABLES)) expect(isErrorCode(name), name).toBe(false);
  });
});
