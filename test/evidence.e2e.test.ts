// The evidence package, checked the way an auditor would: by running the commands its README
// gives, with openssl and sha256sum alone, against checkpoints time-stamped by a real TSA
// (`openssl ts -reply` behind HTTP). The same commands must fail on an altered package. And the
// ingest head a checkpoint signed is recomputed from the archive as the README describes (read
// with the sqlite3 tool, or psql on PostgreSQL, hashed by a few lines of plain code), as an
// auditor's own script would. Both databases.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { startTestTsa, type TestTsa } from './helpers/tsa.js';
import { archiveOn, describeDialects, type DialectArchive } from './helpers/dialects.js';

describeDialects('evidence e2e', (t) => {
  const run = promisify(execFile);
  let dir: { path: string; cleanup: () => Promise<void> };
  let tsa: TestTsa;
  let other: TestTsa;
  let data: string;
  let config: string;
  let pkg: string;
  let archive: DialectArchive;

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
    await cliJson('run', '--once', '--sandbox', sandbox, '--config', config, ...archive.args, '--workers', '0');
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
      const text = await readFile(join(pkg, 'README.md'), 'utf8');
      // SQLite: the sqlite3 tool on archive.db; PostgreSQL: psql on the database's URL.
      const tool = t.kind === 'sqlite' ? 'sqlite3' : 'psql';
      const command = new RegExp(`\`\`\`text\n(${tool} [^\n]*)\n\`\`\``).exec(text)?.[1];
      expect(command).toBeDefined();
      const { stdout } = await run('bash', ['-e', '-c', command!], {
        cwd: data,
        maxBuffer: 1 << 26,
        env: { ...process.env, DATABASE_URL: archive.url ?? '' },
      });
      const rows = JSON.parse(stdout) as Record<string, string | number>[];
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
