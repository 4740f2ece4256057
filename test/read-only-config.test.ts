// Read-only commands with a configuration whose IMAP destination reads its password from a
// variable that this shell does not set: `status`, `report`, `mailbox list` and `item show` work
// (they never use the password); `run` still refuses, naming the variable; and a destination
// with any other problem is still reported by the read-only commands too.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';

const UNSET = 'WXA_TEST_READ_ONLY_UNSET_PASSWORD';
let dir: { path: string; cleanup: () => Promise<void> };
let config: string;
let dataDir: string;

function configWith(imap: Record<string, unknown>, tenant: string): string {
  return JSON.stringify({
    dataDir,
    workers: 0,
    connectors: [
      {
        id: 'bank',
        source: { kind: 'sandbox', dir: tenant },
        mapping: { autoFromDirectoryEmail: true },
        destinations: [{ kind: 'archive' }, imap],
      },
    ],
  });
}

const imap = {
  kind: 'imap',
  host: 'mail.example.com',
  checkMailbox: 'compliance@example.com',
  auth: { kind: 'master', masterUser: 'archiver', password: { env: UNSET } },
};

beforeAll(async () => {
  delete process.env[UNSET];
  dir = await tempDir('read-only');
  dataDir = join(dir.path, 'data');
  const tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed: 3, messages: 40 });
  // The archive is filled by a sandbox run with the same data directory and no IMAP destination.
  const run = await cli(
    'run',
    '--once',
    '--sandbox',
    tenant,
    '--connector',
    'bank',
    '--data-dir',
    dataDir,
    '--workers',
    '0',
  );
  expect(run.code, run.stderr).toBe(0);
  config = join(dir.path, 'config.json');
  await writeFile(config, configWith(imap, tenant));
}, 120_000);

afterAll(async () => dir.cleanup());

describe('read-only commands with --config', () => {
  it('work when a destination password variable is not set', async () => {
    const status = await cliJson<{ dataDir: string; totals: { items: number } }>(
      'status',
      '--config',
      config,
      '--json',
    );
    expect(status.dataDir).toBe(dataDir);
    expect(status.totals.items).toBeGreaterThan(0);
    const report = await cli('report', '--config', config, '--json');
    expect(report.code, report.stderr).toBe(0);
    const boxes = await cliJson<{ address: string; items: number }[]>('mailbox', 'list', '--config', config, '--json');
    expect(boxes.length).toBeGreaterThan(0);
    const shown = await cli('mailbox', 'show', boxes[0]!.address, '--config', config, '--json');
    expect(shown.code, shown.stderr).toBe(0);
  });

  it('while run still refuses, naming the variable', async () => {
    const r = await cli('run', '--once', '--config', config);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`the environment variable ${UNSET} is not set`);
  });

  it('and any other problem of the file is still reported', async () => {
    const bad = join(dir.path, 'bad.json');
    await writeFile(bad, configWith({ ...imap, host: '' }, join(dir.path, 'tenant')));
    const r = await cli('status', '--config', bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/connectors\.0\.destinations\.1\.host/);
  });
});
