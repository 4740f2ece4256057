import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isArchiverError } from '../core/errors.js';
import type { Db } from '../store/db.js';
import { canonicalIdentity, changedFields, SecretReentryError } from './secret-identity.js';
import { SecretBox } from './secrets.js';
import { describeDialects } from '../../test/helpers/dialects.js';

const T0 = 1_700_000_000_000;
const NAME = 'connector/mail/destination/1';
const SAVED = { kind: 'imap', host: 'mail.example.com', port: 993, secure: true, ca: null };

describeDialects('secret identity', (t) => {
  let db: Db;
  let dir: string;
  let box: SecretBox;
  beforeEach(async () => {
    db = await t.openDb();
    dir = await mkdtemp(join(tmpdir(), 'wxa-secret-identity-'));
    box = await SecretBox.open({ dataDir: dir, env: {} });
  });
  afterEach(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  async function refusal(p: Promise<unknown>): Promise<SecretReentryError> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SecretReentryError);
    return err as SecretReentryError;
  }

  describe('a secret bound to an identity', () => {
    it('is given with the same identity, in any field order', async () => {
      await box.put(db, NAME, 'pw', 'alice', T0, SAVED);
      const reordered = { ca: null, secure: true, port: 993, host: 'mail.example.com', kind: 'imap' };
      expect(await box.get(db, NAME, { identity: reordered })).toBe('pw');
      const row = await db.selectFrom('secrets').selectAll().executeTakeFirstOrThrow();
      expect(row.identity).toBe(canonicalIdentity(SAVED));
    });

    it('is refused with another identity, naming each changed field with both values', async () => {
      await box.put(db, NAME, 'pw', 'alice', T0, SAVED);
      const err = await refusal(box.get(db, NAME, { identity: { ...SAVED, host: 'evil.example', port: 1143 } }));
      expect(err.code).toBe('WXA_SECRET_REENTRY_REQUIRED');
      expect(err.fields).toEqual(['host', 'port']);
      expect(err.message).toContain('host "mail.example.com" -> "evil.example"');
      expect(err.message).toContain('port 993 -> 1143');
      expect(err.message).not.toContain('pw');
    });

    it('is refused to a caller that gives no identity at all', async () => {
      await box.put(db, NAME, 'pw', 'alice', T0, SAVED);
      expect((await refusal(box.get(db, NAME))).code).toBe('WXA_SECRET_REENTRY_REQUIRED');
    });

    it('does not decrypt when the stored identity is rewritten in the database (the binding is in the AAD)', async () => {
      await box.put(db, NAME, 'pw', 'alice', T0, SAVED);
      const evil = { ...SAVED, host: 'evil.example' };
      await db
        .updateTable('secrets')
        .set({ identity: canonicalIdentity(evil) })
        .execute();
      const err = await box.get(db, NAME, { identity: evil }).catch((e: unknown) => e);
      expect(isArchiverError(err, 'WXA_SECRET_UNREADABLE')).toBe(true);
    });
  });

  describe('a secret saved before binding', () => {
    it("is bound on first use to its connector's saved identity, keeping who saved it", async () => {
      await box.put(db, NAME, 'pw', 'alice', T0);
      expect(await box.get(db, NAME)).toBe('pw');
      expect(await box.get(db, NAME, { identity: SAVED, legacy: SAVED })).toBe('pw');
      const row = await db.selectFrom('secrets').selectAll().executeTakeFirstOrThrow();
      expect(row).toMatchObject({ identity: canonicalIdentity(SAVED), updated_by: 'alice', updated_at: T0 });
      // Bound now: the legacy identity no longer widens what is accepted.
      const other = { ...SAVED, secure: false };
      expect((await refusal(box.get(db, NAME, { identity: other, legacy: other }))).fields).toEqual(['secure']);
    });

    it('is refused when asked with settings other than the saved ones, and stays unbound', async () => {
      await box.put(db, NAME, 'pw', 'alice', T0);
      const err = await refusal(box.get(db, NAME, { identity: { ...SAVED, host: 'evil.example' }, legacy: SAVED }));
      expect(err.fields).toEqual(['host']);
      expect((await db.selectFrom('secrets').select('identity').executeTakeFirstOrThrow()).identity).toBeNull();
    });

    it('is refused when there is no saved identity to compare with', async () => {
      await box.put(db, NAME, 'pw', 'alice', T0);
      expect((await refusal(box.get(db, NAME, { identity: SAVED }))).fields).toEqual([]);
    });
  });

  describe('identity comparison', () => {
    // fast-check's find: no keys (and no prototype) against an own key `__proto__` set to null
    const PROTO_KEY: [Record<string, unknown>, Record<string, unknown>] = [
      Object.create(null) as Record<string, unknown>,
      JSON.parse('{"__proto__":null}') as Record<string, unknown>,
    ];
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    it('names exactly the fields whose values differ', () => {
      fc.assert(
        fc.property(fc.dictionary(fc.string(), value), fc.dictionary(fc.string(), value), (a, b) => {
          const changed = changedFields(a, b);
          for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
            expect(changed.includes(k)).toBe((a[k] ?? null) !== (b[k] ?? null));
          }
          expect(changed.length === 0).toBe(canonicalIdentity(withNulls(a, b)) === canonicalIdentity(withNulls(b, a)));
        }),
        { examples: [PROTO_KEY, [PROTO_KEY[1], PROTO_KEY[0]]] },
      );
    });
  });

  /** `a` with every key of `b` it lacks set to null: absent and null mean the same. */
  function withNulls(
    a: Record<string, unknown>,
    b: Record<string, unknown>,
  ): Record<string, string | number | boolean | null> {
    const out = { ...a } as Record<string, string | number | boolean | null>;
    // own keys only, defined rather than assigned: a key named `__proto__` is inherited by every
    // object and assigning it sets the prototype (fast-check found it)
    for (const k of Object.keys(b))
      if (!Object.hasOwn(out, k)) Object.defineProperty(out, k, { value: null, enumerable: true, writable: true });
    return out;
  }
});
