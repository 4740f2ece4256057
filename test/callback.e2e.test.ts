// Near-real-time: a signed msgaudit_notify callback makes `serve` pull at once instead of at
// its next scheduled run (an hour away here); a forged one is refused and triggers nothing.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { eventRequestForTest } from './helpers/callback-request.js';
import { freePort } from './helpers/dovecot.js';
import { tempDir } from './helpers/cli.js';

const TOKEN = 'callbackToken123';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('msgaudit_notify callback', () => {
  it('triggers a pull at once; a forged notification is refused', async () => {
    const dir = await tempDir('callback');
    try {
      const tenant = await generateTenant({ outDir: join(dir.path, 'tenant'), seed: 8, messages: 50 });
      const port = await freePort();
      const config = join(dir.path, 'config.json');
      process.env.WXA_TEST_CB_TOKEN = TOKEN;
      process.env.WXA_TEST_CB_AES = AES_KEY;
      await writeFile(
        config,
        JSON.stringify({
          dataDir: join(dir.path, 'data'),
          workers: 0,
          connectors: [
            {
              id: 'corp',
              source: { kind: 'sandbox', dir: join(dir.path, 'tenant') },
              schedule: { intervalSeconds: 3600 },
              callback: { tokenEnv: 'WXA_TEST_CB_TOKEN', encodingAesKeyEnv: 'WXA_TEST_CB_AES', port },
            },
          ],
        }),
      );
      let out = '';
      let err = '';
      const serving = main(['node', 'wechat-archiver', 'serve', '--config', config, '--runs', '2', '--no-console'], {
        out: (t) => (out += t.toString()),
        err: (t) => (err += t.toString()),
        tty: false,
      });
      await waitFor(
        () => out.split('\n').filter(Boolean).length >= 1 && err.includes('callback listening'),
        'the first run',
      );
      const url = `http://127.0.0.1:${port}/wecom/callback`;

      const forged = eventRequestForTest({ token: 'wrong', encodingAesKey: AES_KEY, corpId: tenant.corpId });
      const refused = await fetch(`${url}?${new URLSearchParams(forged.query as Record<string, string>)}`, {
        method: 'POST',
        body: forged.body,
      });
      expect(refused.status).toBe(401);
      await new Promise((r) => setTimeout(r, 500));
      expect(out.split('\n').filter(Boolean)).toHaveLength(1);

      const real = eventRequestForTest({ token: TOKEN, encodingAesKey: AES_KEY, corpId: tenant.corpId });
      const accepted = await fetch(`${url}?${new URLSearchParams(real.query as Record<string, string>)}`, {
        method: 'POST',
        body: real.body,
      });
      expect(accepted.status).toBe(200);
      expect(await serving).toBe(0);
      expect(out.split('\n').filter(Boolean)).toHaveLength(2);
    } finally {
      await dir.cleanup();
    }
  });
});
