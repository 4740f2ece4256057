// The production WeCom source end to end: the vendor library's C test double (same ABI as
// Tencent's libWeWorkFinanceSdk_C.so) in the supervised host process, serving a sandbox tenant,
// through the whole pipeline. Its archive must equal, entry for entry and byte for byte, the
// archive made from the same tenant through the in-process sandbox client, also when the
// library fails intermittently and crashes mid-run.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFakeSdk, fakeSdkEnv, setControl } from './fixtures/fake-sdk/harness.js';
import { generateTenant, readTenant } from '../src/sources/sandbox/index.js';
import { openStore, saveDirectory } from '../src/store/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { spawnCli } from './helpers/cli-process.js';

const MESSAGES = 1200;
let dir: { path: string; cleanup: () => Promise<void> };
let tenantDir: string;
let library: string;
let control: string;
const SECRET = 'archive-secret-for-tests';

beforeAll(async () => {
  dir = await tempDir('wecom-source');
  tenantDir = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenantDir, seed: 31, messages: MESSAGES });
  library = await buildFakeSdk(join(dir.path, 'lib'));
  control = join(dir.path, 'control');
  await setControl(control, {});
  Object.assign(
    process.env,
    fakeSdkEnv({ dataset: tenantDir, secret: SECRET, control, stats: join(dir.path, 'stats') }),
    { WXA_TEST_ARCHIVE_SECRET: SECRET },
  );
}, 300_000);

afterAll(async () => {
  await dir.cleanup();
});

function archiveRows(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'archive.db'), { readonly: true });
  try {
    const rows = db
      .prepare('SELECT mailbox, item_key, mime_sha256 FROM mailbox_entries ORDER BY mailbox, item_key')
      .all() as { mailbox: string; item_key: string; mime_sha256: string }[];
    return rows.map((r) => `${r.mailbox}|${r.item_key}|${r.mime_sha256}`);
  } finally {
    db.close();
  }
}

async function wecomConfig(name: string): Promise<{ config: string; dataDir: string }> {
  const dataDir = join(dir.path, name);
  await mkdir(dataDir, { recursive: true });
  // The directory client fills this cache in production; here it is the tenant's directory.
  const tenant = await readTenant(tenantDir);
  const store = await openStore(dataDir);
  await saveDirectory(store.db, 'corp', tenant.directory, 0);
  await store.close();
  const config = join(dir.path, `${name}.json`);
  await writeFile(
    config,
    JSON.stringify({
      dataDir,
      workers: 2,
      connectors: [
        {
          id: 'corp',
          source: {
            kind: 'wecom',
            corpId: tenant.corpId,
            secretEnv: 'WXA_TEST_ARCHIVE_SECRET',
            keysDir: join(tenantDir, 'keys'),
            sdkLibrary: library,
          },
        },
      ],
    }),
  );
  return { config, dataDir };
}

interface Report {
  status: string;
  fetched: number;
  archived: number;
  heldTotal: number;
  failed: number;
  error?: string;
}

describe('WeCom source through the vendor library double', () => {
  let expected: string[];

  beforeAll(async () => {
    const sandboxData = join(dir.path, 'sandbox-data');
    await cliJson('run', '--once', '--sandbox', tenantDir, '--connector', 'corp', '--data-dir', sandboxData);
    expected = archiveRows(sandboxData);
  }, 600_000);

  it('archives exactly what the in-process sandbox client archives', async () => {
    const { config, dataDir } = await wecomConfig('clean');
    const check = await cliJson<{ ok: boolean; lines: { check: string; ok: boolean }[] }>(
      'connector',
      'check',
      '--config',
      config,
    );
    expect(check.lines.filter((l) => !l.ok)).toEqual([]);
    expect(check.lines.map((l) => l.check)).toEqual(expect.arrayContaining(['source', 'secret', 'key v1']));
    const r = await cliJson<Report>('run', '--once', '--config', config);
    expect(r.error).toBeUndefined();
    expect(r.fetched).toBe(MESSAGES);
    expect(r.archived).toBe(MESSAGES);
    expect(archiveRows(dataDir)).toEqual(expected);
  }, 600_000);

  it('archives the same in a CLI child process (the build the installed command runs, when current)', async () => {
    // The child starts its own SDK host and prepare threads from its own code: in the bundle,
    // the host module and the WeCom normalizer are entries of their own (scripts/bundle-entries.mjs).
    const { config, dataDir } = await wecomConfig('child');
    const child = await spawnCli(['run', '--once', '--config', config, '--json']).done;
    expect(child.code, child.stderr.slice(-2000)).toBe(0);
    const r = JSON.parse(child.stdout) as Report;
    expect(r.error).toBeUndefined();
    expect(r.fetched).toBe(MESSAGES);
    expect(r.archived).toBe(MESSAGES);
    expect(archiveRows(dataDir)).toEqual(expected);
  }, 600_000);

  it('loses and duplicates nothing when the library fails every 7th call and crashes once', async () => {
    await setControl(control, { fault_fn: 'any', chat_fail_every: 7, media_fail_every: 5, crash_on_call: 40 });
    const { config, dataDir } = await wecomConfig('faulty');
    const r = await cliJson<Report>('run', '--once', '--config', config);
    expect(r.error).toBeUndefined();
    expect(r.archived + r.heldTotal + r.failed).toBe(r.fetched);
    expect(r.fetched).toBe(MESSAGES);
    expect(r.archived).toBe(MESSAGES);
    expect(archiveRows(dataDir)).toEqual(expected);
    await setControl(control, {});
  }, 600_000);

  it('stops with a clear message when the secret is wrong', async () => {
    process.env.WXA_TEST_ARCHIVE_SECRET = 'wrong';
    try {
      const { config } = await wecomConfig('wrong-secret');
      const check = await cli('connector', 'check', '--config', config);
      expect(check.code).toBe(1);
      expect(check.stdout).toMatch(/FAIL secret: .*secret/i);
      const r = await cliJson<Report>('run', '--once', '--config', config);
      expect(r.status).toBe('failed');
      expect(r.error).toMatch(/secret/i);
    } finally {
      process.env.WXA_TEST_ARCHIVE_SECRET = SECRET;
    }
  });
});
