// Secrets in the configuration file by environment reference: the value is read at load and
// checked like one written in place; a missing variable is named in the error.
import { afterEach, describe, expect, it } from 'vitest';
import { graphDestinationSchema } from '../destinations/graph/index.js';
import { imapDestinationSchema } from '../destinations/imap/index.js';
import { parseConfig } from './index.js';

const imap = (password: unknown) => ({
  kind: 'imap',
  host: 'imap.example.com',
  checkMailbox: 'check@example.com',
  auth: { kind: 'master', masterUser: 'archiver', password },
});

afterEach(() => {
  delete process.env.WXA_TEST_IMAP_PASSWORD;
  delete process.env.WXA_TEST_GRAPH_KEY;
});

describe('secret fields', () => {
  it('take a value written in place, or read it from the environment variable named', () => {
    expect(imapDestinationSchema.parse(imap('in-file')).auth).toMatchObject({ password: 'in-file' });
    process.env.WXA_TEST_IMAP_PASSWORD = 'from-env';
    const parsed = imapDestinationSchema.parse(imap({ env: 'WXA_TEST_IMAP_PASSWORD' }));
    expect(parsed.auth).toMatchObject({ password: 'from-env' });
  });

  it('name the variable that is not set, with the field, in the configuration error', () => {
    let message = '';
    try {
      parseConfig(
        {
          connectors: [
            { id: 'c', source: { kind: 'sandbox', dir: 't' }, destinations: [imap({ env: 'WXA_TEST_IMAP_PASSWORD' })] },
          ],
        },
        'wxa.json',
        '/tmp',
      );
    } catch (err) {
      message = String(err);
    }
    expect(message).toContain('connectors.0.destinations.0.auth.password');
    expect(message).toContain('WXA_TEST_IMAP_PASSWORD is not set');
  });

  it('check the value read from the environment like one written in place', () => {
    process.env.WXA_TEST_GRAPH_KEY = 'not a pem';
    const r = graphDestinationSchema.safeParse({
      kind: 'graph',
      tenantId: 't',
      clientId: 'c',
      auth: { kind: 'certificate', thumbprintSha256: 'a'.repeat(64), privateKeyPem: { env: 'WXA_TEST_GRAPH_KEY' } },
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('a PEM private key');
  });

  it('refuse a reference with anything but a variable name', () => {
    expect(imapDestinationSchema.safeParse(imap({ env: 'NOT VALID' })).success).toBe(false);
    expect(imapDestinationSchema.safeParse(imap({ env: 'X', value: 'y' })).success).toBe(false);
  });
});
