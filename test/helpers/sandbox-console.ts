// A real `serve` archiving the search tenant (unmapped people filed to desk@example.com), its
// first admin set up through the API, and a browser page on the console: what the console's
// end-to-end tests of search, cases and integrity all start from.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureConsoleBuilt, sharedBrowser, openPage, setupAdminByApi } from './browser.js';
import { tempDir } from './cli.js';
import { writeSearchTenant } from './search-archive.js';
import { startServe, type ServeProcess } from './serve-process.js';

export interface SandboxConsole {
  dir: { path: string; cleanup: () => Promise<void> };
  serve: ServeProcess;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

export async function startSandboxConsole(
  prefix: string,
  messages: number,
  admin: { username: string; displayName: string; password: string },
): Promise<SandboxConsole> {
  const dir = await tempDir(prefix);
  const tenant = await writeSearchTenant(dir.path, messages);
  const config = join(dir.path, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      connectors: [{ id: 'corp', source: { kind: 'sandbox', dir: tenant }, mapping: { catchAll: 'desk@example.com' } }],
    }),
  );
  return { dir, ...(await consoleOn(() => startServe({ args: ['--config', config] }), admin, dir.cleanup)) };
}

/** The same for `serve`'s built-in demo tenant (what `npm start` runs), without a config file. */
export async function startDemoConsole(admin: {
  username: string;
  displayName: string;
  password: string;
}): Promise<Omit<SandboxConsole, 'dir'>> {
  return consoleOn(
    () => startServe({ demo: true }),
    admin,
    async () => {},
  );
}

async function consoleOn(
  start: () => Promise<ServeProcess>,
  admin: { username: string; displayName: string; password: string },
  cleanup: () => Promise<void>,
): Promise<Omit<SandboxConsole, 'dir'>> {
  await ensureConsoleBuilt();
  const [serve, browser] = await Promise.all([start(), sharedBrowser()]);
  await setupAdminByApi(serve.url, serve.setupToken, admin);
  const { context, page } = await openPage(browser, serve.url);
  return {
    serve,
    browser,
    context,
    page,
    close: async () => {
      await context.close();
      await serve.stop();
      await cleanup();
    },
  };
}
