// `serve` with no connector configured: it creates a sandbox tenant in the data directory,
// archives it, adds live traffic before each later run, and archives that too.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cli, cliJson, tempDir } from './helpers/cli.js';

describe('serve with no configuration', () => {
  it('archives a demo tenant continuously', async () => {
    const dir = await tempDir('serve');
    try {
      const r = await cli(
        'serve',
        '--data-dir',
        dir.path,
        '--interval',
        '1',
        '--runs',
        '2',
        '--workers',
        '0',
        '--port',
        '0',
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('creating a sandbox tenant');
      // The console listens on loopback and the first admin comes from a one-time token, never a default password.
      expect(r.stderr).toMatch(/console: http:\/\/127\.0\.0\.1:\d+\//);
      expect(r.stderr).toMatch(/one-time setup token:\n\n {4}[A-Za-z0-9_-]{20,}\n/);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/sandbox: captured 400, archived \d+/);
      expect(lines[1]).toMatch(/sandbox: captured 25, archived 25,/);
      const boxes = await cliJson<{ address: string; items: number; folder: string }[]>(
        'mailbox',
        'list',
        '--data-dir',
        dir.path,
      );
      expect(boxes.length).toBeGreaterThan(10);
      expect(boxes.every((b) => b.folder === 'WeChat Archiver' && b.items > 0)).toBe(true);
    } finally {
      await dir.cleanup();
    }
  });

  it('exits non-zero with what to do when the console port is taken, before any run', async () => {
    const dir = await tempDir('serve-port');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await cli('serve', '--data-dir', dir.path, '--no-demo', '--port', String(port));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`console: port ${port} on 127.0.0.1 is already in use`);
      expect(r.stderr).toContain('--port N (npm start -- --port N)');
      expect(r.stderr).toContain('--no-console');
      expect(r.stdout).toBe('');
    } finally {
      taken.close();
      await dir.cleanup();
    }
  });
});
