// The evidence package, checked the way an auditor would: by running the commands its README
// gives, with openssl and sha256sum alone, against checkpoints time-stamped by a real TSA
// (`openssl ts -reply` behind HTTP). The same commands must fail on an altered package. And the
// ingest head a checkpoint signed is recomputed from the archive as the README describes (read
// with the sqlite3 tool, or psql on PostgreSQL, hashed by a few lines of plain code), as an
// auditor's own script would, and so is every row's digest, by the rules the README gives for
// each kind of row, on a log holding item events of both digest versions (every other item
// logged as before version 2: helpers/item-digest-v1.ts). Both databases.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { startTestTsa, type TestTsa } from './helpers/tsa.js';
import { archiveOn, describeDialects, type DialectArchive } from './helpers/dialects.js';
import { logVersion1Every, version1 } from './helpers/item-digest-v1.js';

vi.mock('../src/store/ingest-digest.js', async (actual) =>
  (await import('./helpers/item-digest-v1.js')).mixedItemDigests(await actual()),
);

describeDialects('evidence e2e', (t) => {
  const run = promisify(execFile);
  let dir: { path: string; cleanup: () => Promise<void> };
  let tsa: TestTsa;
  let other: TestTsa;
  let data: string;
  let config: string;
  let pkg: string;
  let archive: DialectArchive;
  /** item events the run logged as version 1 */
  let itemsOfVersion1 = 0;

  /** The README's shell block, exactly as written. */
  async function readmeCommands(p: string): Promise<string> {
    const text = await readFile(join(p, 'README.md'), 'utf8');
    const block = /```sh\n([\s\S]*?)```/.exec(text)?.[1];
    expect(block).toBeDefined();
    return block!;
  }

  async function followReadme(p: string): Promise<{ code: number; out: string }> {
    try {
      const { stdout, stderr } = await run('bash', ['-e', '-c', await readmeCommands(p)], { cwd: p });
      return { code: 0, out: stdout + stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  }

  beforeAll(async () => {
    dir = await tempDir('evidence');
    [tsa, other] = await Promise.all([startTestTsa(), startTestTsa()]);
    const sandbox = join(dir.path, 'tenant');
    await generateTenant({ outDir: sandbox, seed: 3, messages: 60 });
    data = join(dir.path, 'data');
    archive = await archiveOn(t, data);
    config = join(dir.path, 'config.json');
    await writeFile(config, JSON.stringify({ evidence: { tsa: { url: tsa.url, caFile: tsa.caFile } } }));
    logVersion1Every(2);
    await cliJson('run', '--once', '--sandbox', sandbox, '--config', config, ...archive.args, '--workers', '0');
    itemsOfVersion1 = version1.written;
    logVersion1Every(0);
    const second = await cliJson<{ timestamped: boolean }>('checkpoint', '--config', config, ...archive.args);
    expect(second.timestamped).toBe(true);
    pkg = join(dir.path, 'package');
    const made = await cliJson<{ checkpoints: number; timestamped: number; verified: boolean }>(
      'evidence',
      '--out',
      pkg,
      '--config',
      config,
      ...archive.args,
    );
    expect(made).toMatchObject({ checkpoints: 2, timestamped: 2, verified: true });
  }, 300_000);

  afterAll(async () => {
    await Promise.all([tsa?.close(), other?.close()]);
    await dir.cleanup();
  });

  /** The README's ```text commands for this database, each run as written, its JSON output parsed. */
  async function readmeQueries(): Promise<Map<string, Record<string, unknown>[]>> {
    const text = await readFile(join(pkg, 'README.md'), 'utf8');
    // SQLite: the sqlite3 tool on archive.db; PostgreSQL: psql on the database's URL.
    const tool = t.kind === 'sqlite' ? 'sqlite3' : 'psql';
    const commands = [...text.matchAll(new RegExp(`\`\`\`text\n(${tool} [^\n]*)\n\`\`\``, 'g'))].map((m) => m[1]!);
    const out = new Map<string, Record<string, unknown>[]>();
    for (const command of commands) {
      const table = / FROM (\w+)/.exec(command)?.[1];
      expect(table).toBeDefined();
      const { stdout } = await run('bash', ['-e', '-c', command], {
        cwd: data,
        maxBuffer: 1 << 26,
        env: { ...process.env, DATABASE_URL: archive.url ?? '' },
      });
      // sqlite3 prints nothing at all for a table without rows.
      out.set(table!, stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>[]) : []);
    }
    return out;
  }

  describe('evidence package', () => {
    it('verifies by following its own README with openssl and sha256sum alone', async () => {
      expect(tsa.requests).toBe(2);
      const { code, out } = await followReadme(pkg);
      expect(out).toMatch(/Signature Verified Successfully[\s\S]*Signature Verified Successfully/);
      expect(out.match(/Verification: OK/g)).toHaveLength(2);
      expect(out).toContain('checkpoints/000001.json: OK');
      expect(out).toContain('verification-report.json: OK');
      expect(code).toBe(0);
      const report = JSON.parse(await readFile(join(pkg, 'verification-report.json'), 'utf8')) as {
        ok: boolean;
        checkpoints: { checked: number; timestamped: number };
      };
      expect(report).toMatchObject({ ok: true, checkpoints: { checked: 2, timestamped: 2 } });
    });

    it("recomputes the latest checkpoint's ingest head from the archive as its README describes, without our code", async () => {
      const rows = (await readmeQueries()).get('ingest_log') as Record<string, string | number>[];
      expect(rows).toBeDefined();
      // The README's formula, written out as an auditor would: no module of the archiver's.
      let head = '0'.repeat(64);
      for (const r of rows) {
        const fields = [r.at, r.kind, r.connector_id, r.ref, r.digest, r.detail_json];
        const h = createHash('sha256')
          .update(`${head}\n${JSON.stringify(fields)}`, 'utf8')
          .digest('hex');
        expect(h).toBe(r.hash);
        head = h;
      }
      const latest = JSON.parse(await readFile(join(pkg, 'checkpoints', '000002.json'), 'utf8')) as {
        ingest: { head: string; events: number };
      };
      expect(latest.ingest).toMatchObject({ head, events: rows.length });
      expect(rows.length).toBeGreaterThan(100);
    });

    it("recomputes every row's digest from the archive by its README's rules, both item digest versions, without our code", async () => {
      const tables = await readmeQueries();
      const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
      // The README's encoding written out: `<UTF-8 bytes of tag and value>:<tag><value>`, concatenated.
      const digest = (fields: unknown[]) =>
        sha256(
          fields
            .map((f) => (f === null ? 'z' : typeof f === 'number' ? `n${f}` : `s${String(f)}`))
            .map((v) => `${Buffer.byteLength(v, 'utf8')}:${v}`)
            .join(''),
        );
      const rowsOf = (table: string, ref: (r: Record<string, unknown>) => string) => {
        const rows = tables.get(table);
        expect(rows?.length, table).toBeGreaterThan(0);
        return new Map(rows!.map((r) => [ref(r), r]));
      };
      const raws = rowsOf('raw_records', (r) => `${String(r.connector_id)}\n${String(r.seq_key)}`);
      const items = rowsOf('items', (r) => String(r.key));
      const entries = rowsOf(
        'mailbox_entries',
        (r) => `${String(r.mailbox)}\n${String(r.folder)}\n${String(r.item_key)}`,
      );
      const checked = { raw: 0, item: 0, entry: 0, version1: 0, version2: 0 };
      for (const e of tables.get('ingest_log')!) {
        const ref = String(e.ref);
        let fields: unknown[];
        if (e.kind === 'raw') fields = Object.values(raws.get(`${String(e.connector_id)}\n${ref}`)!);
        else if (e.kind === 'entry') fields = Object.values(entries.get(ref)!);
        else if (e.kind === 'item') {
          const row = items.get(ref)!;
          const version = (JSON.parse(String(e.detail_json)) as { digestVersion?: number }).digestVersion ?? 1;
          expect([1, 2]).toContain(version);
          checked[version === 2 ? 'version2' : 'version1']++;
          fields = Object.entries(row).map(([k, v]) => (version === 2 && k === 'model_json' ? sha256(String(v)) : v));
          // The other version's rule gives another digest: the version named is the one that holds.
          const other = Object.entries(row).map(([k, v]) =>
            version === 1 && k === 'model_json' ? sha256(String(v)) : v,
          );
          expect(digest(other)).not.toBe(e.digest);
        } else continue;
        expect(digest(fields), `${String(e.kind)} ${ref}`).toBe(e.digest);
        checked[e.kind as 'raw' | 'item' | 'entry']++;
      }
      expect(checked.raw).toBe(raws.size);
      expect(checked.item).toBe(items.size);
      expect(checked.entry).toBe(entries.size);
      expect(checked.version1).toBe(itemsOfVersion1);
      expect(checked.version1).toBeGreaterThan(10);
      expect(checked.version2).toBeGreaterThan(10);
    });

    it('fails those same commands when a checkpoint is altered, even with SHA256SUMS redone', async () => {
      const bad = join(dir.path, 'bad-package');
      await cp(pkg, bad, { recursive: true });
      const file = join(bad, 'checkpoints', '000001.json');
      const text = await readFile(file, 'utf8');
      await writeFile(
        file,
        text.replace(/"events":(\d+)/, (_, n: string) => `"events":${Number(n) - 1}`),
      );
      expect((await followReadme(bad)).code).not.toBe(0);
      const { stdout } = await run('bash', ['-c', 'sha256sum $(cut -c67- SHA256SUMS) > SHA256SUMS'], { cwd: bad });
      expect(stdout).toBe('');
      const { code, out } = await followReadme(bad);
      expect(code).not.toBe(0);
      expect(out).toMatch(/Signature Verification Failure|verification failure/i);
    });

    it('refuses an --out that holds files or is a file before verifying anything, and leaves nothing behind', async () => {
      const file = join(dir.path, 'a-file');
      await writeFile(file, 'not a directory\n');
      for (const [out, what] of [
        [pkg, 'is not empty'],
        [file, 'is a file, not a directory'],
      ] as const) {
        const refused = await cli('evidence', '--out', out, '--config', config, ...archive.args);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(
          `WXA_INPUT_INVALID: --out ${out} ${what}; write the package into a new or empty directory`,
        );
      }
      // no temporary package beside them
      expect((await readdir(dir.path)).filter((n) => n.includes('.tmp-'))).toEqual([]);
    });

    it('verify checks every time-stamp against the trusted CA, and refuses another CA', async () => {
      const ok = await cliJson<{ ok: boolean; checkpoints: { timestamped: number } }>(
        'verify',
        '--config',
        config,
        ...archive.args,
      );
      expect(ok).toMatchObject({ ok: true, checkpoints: { timestamped: 2 } });
      const r = await cli('verify', '--config', config, ...archive.args, '--tsa-ca', other.caFile, '--json');
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { firstBroken: { kind: string; checkpoint: number; reason: string } };
      expect(report.firstBroken).toMatchObject({ kind: 'checkpoint', checkpoint: 1 });
      expect(report.firstBroken.reason).toContain('time-stamp');
    });

    it('keeps a checkpoint signed but says it is not time-stamped when the TSA cannot be reached', async () => {
      const down = join(dir.path, 'tsa-down.json');
      await writeFile(
        down,
        JSON.stringify({ evidence: { tsa: { url: 'http://127.0.0.1:1/tsa', caFile: tsa.caFile } } }),
      );
      const r = await cli('checkpoint', '--config', down, ...archive.args, '--json');
      expect(r.code).toBe(1);
      const cp = JSON.parse(r.stdout) as { timestamped: boolean; tsaError: string; statement: { number: number } };
      expect(cp).toMatchObject({ timestamped: false, statement: { number: 3 } });
      expect(cp.tsaError).toContain('did not answer');
      const v = await cliJson<{
        ok: boolean;
        checkpoints: { checked: number; timestamped: number; notTimestamped: number };
      }>('verify', '--config', config, ...archive.args);
      expect(v).toMatchObject({ ok: true, checkpoints: { checked: 3, timestamped: 2, notTimestamped: 1 } });
    });
  });
});
