import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { imapDestinationSchema, portOf } from './config.js';

const minimal = {
  kind: 'imap',
  host: 'imap.example.com',
  checkMailbox: 'probe@example.com',
  auth: { kind: 'master', masterUser: 'archiver', password: 'secret' },
};

describe('imapDestinationSchema', () => {
  it("defaults are secure: implicit TLS on 993, certificates verified, the reference folder, pools well under Dovecot's 10 connections per user", () => {
    const cfg = imapDestinationSchema.parse(minimal);
    expect(cfg).toMatchObject({
      secure: true,
      starttls: true,
      tls: { rejectUnauthorized: true },
      folder: 'WeChat Archiver',
      pool: { perMailbox: 4, total: 16, idleMs: 60_000 },
    });
    expect(portOf(cfg)).toBe(993);
    expect(portOf(imapDestinationSchema.parse({ ...minimal, secure: false }))).toBe(143);
    expect(cfg.auth).toMatchObject({ login: '{mailbox}*{master}', authzid: false });
  });

  it('refuses an unknown auth kind, a bad port and a missing check mailbox, all at once', () => {
    const r = imapDestinationSchema.safeParse({
      ...minimal,
      port: 70_000,
      checkMailbox: undefined,
      auth: { kind: 'kerberos' },
    });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['port', 'checkMailbox', 'auth.kind']));
  });

  it('converts to JSON Schema with a description on every field', () => {
    const schema = JSON.stringify(z.toJSONSchema(imapDestinationSchema, { io: 'input' }));
    expect(schema).toContain('"description"');
    const props = z.toJSONSchema(imapDestinationSchema, { io: 'input' }).properties ?? {};
    for (const [name, value] of Object.entries(props)) {
      expect((value as { description?: string }).description, name).toBeTruthy();
    }
  });
});
