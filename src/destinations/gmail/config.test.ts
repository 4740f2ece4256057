import { describe, expect, it } from 'vitest';
import { gmailDestinationSchema } from './config.js';

const keyFile = {
  type: 'service_account',
  project_id: 'archiver',
  private_key_id: 'abc123',
  private_key: '-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n',
  client_email: 'archiver@archiver.iam.gserviceaccount.com',
  client_id: '1234567890',
  auth_uri: 'https://accounts.google.com/o/oauth2/auth',
  token_uri: 'https://oauth2.googleapis.com/token',
};

describe('gmailDestinationSchema', () => {
  it('takes the JSON key file as it is and fills in the defaults', () => {
    const cfg = gmailDestinationSchema.parse({ kind: 'gmail', serviceAccount: keyFile });
    expect(cfg.serviceAccount).toEqual({
      client_email: keyFile.client_email,
      private_key: keyFile.private_key,
      private_key_id: 'abc123',
      token_uri: keyFile.token_uri,
    });
    expect(cfg).toMatchObject({
      label: 'WeChat Archiver',
      apiBaseUrl: 'https://gmail.googleapis.com',
      maxRetries: 5,
      maxRetryWaitSeconds: 120,
      uploadChunkMiB: 8,
    });
  });

  it('reports a missing or non-PEM key and a bad e-mail at once', () => {
    const r = gmailDestinationSchema.safeParse({
      kind: 'gmail',
      serviceAccount: { client_email: 'not-an-email', private_key: 'secret' },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'serviceAccount.client_email',
      'serviceAccount.private_key',
    ]);
  });
});
