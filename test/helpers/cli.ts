/** Test helpers: temporary directories and the CLI run in-process with its output captured. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { openStore } from '../../src/store/index.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  bytes: Buffer;
}

export async function cli(...args: string[]): Promise<CliResult> {
  const out: Buffer[] = [];
  let stderr = '';
  const code = await main(['node', 'wechat-archiver', ...args], {
    out: (t) => out.push(typeof t === 'string' ? Buffer.from(t) : t),
    err: (t) => (stderr += t),
    tty: false,
  });
  const bytes = Buffer.concat(out);
  return { code, stdout: bytes.toString('utf8'), stderr, bytes };
}

/** Runs the CLI and parses its JSON output, failing with stderr when the command failed. */
export async function cliJson<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const r = await cli(...args, '--json');
  if (r.code !== 0 && !r.stdout.trim().startsWith('{') && !r.stdout.trim().startsWith('[')) {
    throw new Error(`wechat-archiver ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as T;
}

export async function tempDir(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `wxa-${prefix}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Makes an empty archive in `dataDir`, as a first run would: the commands that read an archive
 * refuse a data directory that holds none.
 */
export async function emptyArchive(dataDir: string): Promise<void> {
  await (await openStore(dataDir)).close();
}
