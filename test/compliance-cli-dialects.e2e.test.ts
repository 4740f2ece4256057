// The compliance commands no other suite runs through the CLI on both databases: the retention
// policy changes (lock, update, enable, disable, remove: a locked policy can only be lengthened,
// with the refusal naming WXA_RETENTION_LOCKED) and `connector check` (which reads the
// connector's cursor from the store). Each runs on SQLite and on PostgreSQL with the same
// assertions.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { archiveOn, describeDialects, type DialectArchive } from './helpers/dialects.js';

interface Policy {
  id: string;
  name: string;
  period: { value: number; unit: string };
  enabled: boolean;
  locked: boolean;
}

describeDialects('compliance CLI', (t) => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let tenant: string;
  let archive: DialectArchive;

  beforeAll(async () => {
    dir = await tempDir('compliance-cli');
    tenant = join(dir.path, 'tenant');
    await generateTenant({ outDir: tenant, seed: 5, messages: 20 });
    archive = await archiveOn(t, join(dir.path, 'data'));
  }, 120_000);

  afterAll(async () => {
    await dir?.cleanup();
  });

  const list = async () => (await cliJson<{ policies: Policy[] }>('retention', 'list', ...archive.args)).policies;

  describe('retention policy changes', () => {
    it('locks a policy, refuses shortening, disabling and removing it, and accepts a longer period', async () => {
      const add = await cli('retention', 'add', '--name', 'Six years', '--years', '6', ...archive.args);
      // the first command on a new SQLite data directory makes its archive, and says so
      expect(add.stderr.replace(/^note: \S+ held no archive; made a new one there\n/, '')).toBe('');
      expect(add.code).toBe(0);
      const id = add.stdout.trim();
      expect(id).toMatch(/^ret_[0-9a-f]{12}$/);
      const locked = await cliJson<Policy>('retention', 'lock', id, ...archive.args);
      expect(locked).toMatchObject({ id, locked: true, enabled: true });
      for (const args of [
        ['update', id, '--years', '5'],
        ['update', id, '--days', '2000'],
        ['disable', id],
        ['remove', id],
      ]) {
        const r = await cli('retention', ...args, ...archive.args);
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr, args.join(' ')).toContain('WXA_RETENTION_LOCKED');
      }
      const longer = await cliJson<Policy>('retention', 'update', id, '--years', '7', ...archive.args);
      expect(longer.period).toEqual({ value: 7, unit: 'years' });
      expect((await list()).find((p) => p.id === id)).toMatchObject({
        period: { value: 7, unit: 'years' },
        locked: true,
        enabled: true,
      });
    });

    it('disables, enables, renames and removes a policy that is not locked', async () => {
      const { id } = await cliJson<Policy>('retention', 'add', '--name', 'Chats', '--days', '400', ...archive.args);
      expect(await cliJson<Policy>('retention', 'disable', id, ...archive.args)).toMatchObject({ enabled: false });
      expect((await list()).find((p) => p.id === id)?.enabled).toBe(false);
      expect(await cliJson<Policy>('retention', 'enable', id, ...archive.args)).toMatchObject({ enabled: true });
      const renamed = await cliJson<Policy>(
        'retention',
        'update',
        id,
        '--name',
        'Chat',
        '--days',
        '30',
        ...archive.args,
      );
      expect(renamed).toMatchObject({ name: 'Chat', period: { value: 30, unit: 'days' } });
      expect(await cliJson('retention', 'remove', id, ...archive.args)).toEqual({ removed: id });
      expect((await list()).map((p) => p.id)).not.toContain(id);
    });
  });

  describe('connector check', () => {
    it('checks a sandbox connector against the archive, before and after a run', async () => {
      const before = await cliJson<{ ok: boolean; lines: { check: string; ok: boolean }[] }>(
        'connector',
        'check',
        '--sandbox',
        tenant,
        ...archive.args,
      );
      expect(before.lines.filter((l) => !l.ok)).toEqual([]);
      expect(before.lines.length).toBeGreaterThan(2);
      const run = await cliJson<{ archived: number }>(
        'run',
        '--once',
        '--sandbox',
        tenant,
        '--workers',
        '0',
        ...archive.args,
      );
      expect(run.archived).toBeGreaterThan(0);
      const after = await cli('connector', 'check', '--sandbox', tenant, ...archive.args);
      expect(after.stderr).toBe('');
      expect(after.code).toBe(0);
    });
  });
});
