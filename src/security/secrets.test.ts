import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import type { Db } from '../store/db.js';
import { MASTER_KEY_FILE, SecretBox } from './secrets.js';

const T0 = 1_700_000_000_000;
const VALUE = 'archive-secret-VALUE-1234567890';

describeDialects('secrets', (t) => {
  let db: Db;
  let dir: string;
  beforeEach(async () => {
    db = await t.openDb();
    dir = await mkdtemp(join(tmpdir(), 'wxa-secrets-'));
  });
  afterEach(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  function envKey(): { env: NodeJS.ProcessEnv; key: string } {
    const key = randomBytes(32).toString('base64');
    return { env: { WXA_MASTER_KEY: key }, key };
  }

  describe('SecretBox values', () => {
    it('round trips and keeps no clear text in the row', async () => {
      const box = await SecretBox.open({ dataDir: dir, env: {} });
      await box.put(db, 'c1.archiveSecret', VALUE, 'alice', T0);
      expect(await box.get(db, 'c1.archiveSecret')).toBe(VALUE);
      const row = await db.selectFrom('secrets').selectAll().executeTakeFirstOrThrow();
      expect(row).toMatchObject({ name: 'c1.archiveSecret', key_id: box.keyId, updated_by: 'alice', updated_at: T0 });
      const dump = JSON.stringify(row);
      expect(dump).not.toContain(VALUE);
      expect(dump).not.toContain(Buffer.from(VALUE).toString('base64').slice(0, 20));
      expect(Buffer.from(row.iv, 'base64')).toHaveLength(12);
    });

    it('replaces a value with a fresh IV, and handles unicode and empty values', async () => {
      const box = await SecretBox.open({ dataDir: dir, env: {} });
      await box.put(db, 'k', 'first', 'a', T0);
      const iv1 = (await db.selectFrom('secrets').select('iv').executeTakeFirstOrThrow()).iv;
      await box.put(db, 'k', '密钥 🔑', 'b', T0 + 1);
      const row = await db.selectFrom('secrets').selectAll().executeTakeFirstOrThrow();
      expect(row.iv).not.toBe(iv1);
      expect(row.updated_by).toBe('b');
      expect(await box.get(db, 'k')).toBe('密钥 🔑');
      await box.put(db, 'empty', '', 'a', T0);
      expect(await box.get(db, 'empty')).toBe('');
    });

    it('reports set/unset and deletes by name and by literal prefix', async () => {
      const box = await SecretBox.open({ dataDir: dir, env: {} });
      expect(await box.get(db, 'missing')).toBeUndefined();
      for (const n of ['c_1.a', 'c_1.b', 'cx1.a', 'c2.a']) await box.put(db, n, 'v', 'a', T0);
      expect(await box.status(db, ['c_1.a', 'c2.a', 'nope'])).toEqual({ 'c_1.a': 'set', 'c2.a': 'set', nope: 'unset' });
      expect(await box.status(db, [])).toEqual({});
      // '_' must not act as a LIKE wildcard and take cx1.a with it
      expect(await box.deleteByPrefix(db, 'c_1.')).toBe(2);
      await box.delete(db, 'c2.a');
      const names = (await db.selectFrom('secrets').select('name').execute()).map((r) => r.name);
      expect(names).toEqual(['cx1.a']);
    });

    it('refuses to decrypt under another master key, naming both key ids', async () => {
      const a = await SecretBox.open({ dataDir: dir, env: envKey().env });
      const b = await SecretBox.open({ dataDir: dir, env: envKey().env });
      expect(a.keyId).not.toBe(b.keyId);
      await a.put(db, 's', VALUE, 'x', T0);
      const err = await b.get(db, 's').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'WXA_SECRET_UNREADABLE' });
      expect((err as Error).message).toContain(a.keyId);
      expect((err as Error).message).toContain('master key');
    });

    it('refuses a row whose ciphertext or tag was altered', async () => {
      const box = await SecretBox.open({ dataDir: dir, env: {} });
      await box.put(db, 's', VALUE, 'x', T0);
      const row = await db.selectFrom('secrets').selectAll().executeTakeFirstOrThrow();
      const ct = Buffer.from(row.ciphertext, 'base64');
      ct[0] = ct[0]! ^ 1;
      await db
        .updateTable('secrets')
        .set({ ciphertext: ct.toString('base64') })
        .execute();
      await expect(box.get(db, 's')).rejects.toMatchObject({ code: 'WXA_SECRET_UNREADABLE' });
    });

    it('binds a ciphertext to its name: a row moved to another name does not decrypt', async () => {
      const box = await SecretBox.open({ dataDir: dir, env: {} });
      await box.put(db, 'c1.archiveSecret', VALUE, 'x', T0);
      await db.updateTable('secrets').set({ name: 'c2.archiveSecret' }).execute();
      await expect(box.get(db, 'c2.archiveSecret')).rejects.toMatchObject({ code: 'WXA_SECRET_UNREADABLE' });
    });

    it('does not show the key when the box is inspected or serialised', async () => {
      const { env, key } = envKey();
      const box = await SecretBox.open({ dataDir: dir, env });
      expect(inspect(box, { showHidden: true, depth: 5 })).not.toContain(key);
      expect(JSON.stringify(box)).not.toContain(key);
      expect(box.keyId).toMatch(/^[0-9a-f]{16}$/);
    });
  });

  describe('SecretBox master key', () => {
    it('creates master.key with mode 0600 and reads the same key back', async () => {
      const first = await SecretBox.open({ dataDir: dir, env: {} });
      const path = join(dir, MASTER_KEY_FILE);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect(Buffer.from((await readFile(path, 'utf8')).trim(), 'base64')).toHaveLength(32);
      expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      const again = await SecretBox.open({ dataDir: dir, env: {} });
      expect(again.keyId).toBe(first.keyId);
    });

    it('creates the data directory when it does not exist yet', async () => {
      const nested = join(dir, 'a', 'b');
      const box = await SecretBox.open({ dataDir: nested, env: {} });
      expect((await stat(join(nested, MASTER_KEY_FILE))).isFile()).toBe(true);
      expect(box.keyId).toHaveLength(16);
    });

    it('ends with one key when several processes start at once', async () => {
      const boxes = await Promise.all(Array.from({ length: 8 }, () => SecretBox.open({ dataDir: dir, env: {} })));
      expect(new Set(boxes.map((b) => b.keyId)).size).toBe(1);
    });

    it('refuses a key file that others can read', async () => {
      await SecretBox.open({ dataDir: dir, env: {} });
      const path = join(dir, MASTER_KEY_FILE);
      await chmod(path, 0o644);
      const err = await SecretBox.open({ dataDir: dir, env: {} }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'WXA_MASTER_KEY_INVALID' });
      expect((err as Error).message).toContain('chmod 600');
      await chmod(path, 0o640);
      await expect(SecretBox.open({ dataDir: dir, env: {} })).rejects.toMatchObject({ code: 'WXA_MASTER_KEY_INVALID' });
    });

    it('refuses a key file of the wrong length', async () => {
      await writeFile(join(dir, MASTER_KEY_FILE), randomBytes(16).toString('base64'), { mode: 0o600 });
      await expect(SecretBox.open({ dataDir: dir, env: {} })).rejects.toMatchObject({ code: 'WXA_MASTER_KEY_INVALID' });
      await writeFile(join(dir, MASTER_KEY_FILE), randomBytes(32), { mode: 0o600 });
      await expect(SecretBox.open({ dataDir: dir, env: {} })).rejects.toMatchObject({ code: 'WXA_MASTER_KEY_INVALID' });
    });

    it('prefers WXA_MASTER_KEY over the file, and refuses a malformed one', async () => {
      const fromFile = await SecretBox.open({ dataDir: dir, env: {} });
      const { env } = envKey();
      const fromEnv = await SecretBox.open({ dataDir: dir, env });
      const same = await SecretBox.open({ dataDir: join(dir, 'elsewhere'), env });
      expect(fromEnv.keyId).not.toBe(fromFile.keyId);
      expect(same.keyId).toBe(fromEnv.keyId);
      const bad = [randomBytes(31).toString('base64'), 'not base64 at all!', randomBytes(32).toString('hex')];
      for (const k of bad) {
        await expect(SecretBox.open({ dataDir: dir, env: { WXA_MASTER_KEY: k } }), k).rejects.toMatchObject({
          code: 'WXA_MASTER_KEY_INVALID',
        });
      }
    });
  });

  describe('SecretBox text seal', () => {
    it('round-trips a credential bound to its purpose, and refuses another purpose', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'wxa-seal-'));
      try {
        const box = await SecretBox.open({ dataDir: dir, env: {} });
        const url = 'https://outlook.office.com/api/v2.0/Users/x/AttachmentSessions/y?authtoken=secret';
        const sealed = box.textSeal('upload').seal(url);
        expect(sealed).not.toContain('authtoken');
        expect(sealed.startsWith(`${box.keyId}:`)).toBe(true);
        expect(box.textSeal('upload').open(sealed)).toBe(url);
        expect(() => box.textSeal('other').open(sealed)).toThrow();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
