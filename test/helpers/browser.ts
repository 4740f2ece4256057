/**
 * The browser side of the console's end-to-end tests and screenshots: the system's Chromium
 * driven by playwright-core (never a downloaded browser), the console built once when web/dist
 * is missing, and small steps every test repeats (setup, login, waiting on a data-testid).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Route } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILT = fileURLToPath(new URL('../../web/dist/index.html', import.meta.url));

/** Debian's package; CI installs the same one. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The longest any single wait in these tests may take. */
export const WAIT_MS = 60_000;

export const VIEWPORT = { width: 1280, height: 800 };

/** Builds the web console into web/dist, which `serve` serves. */
export async function buildConsole(): Promise<void> {
  await promisify(execFile)('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: ROOT,
    timeout: 180_000,
  });
  if (!existsSync(BUILT)) throw new Error('vite build finished without web/dist/index.html');
}

/**
 * Builds the web console when web/dist has no index.html (CI builds it in `npm ci` already).
 * Test files run in parallel; a lock directory keeps two of them from emptying web/dist under
 * each other, and the others wait for the one that builds.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  const lock = join(tmpdir(), `wxa-console-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}`);
  const deadline = Date.now() + 180_000;
  while (!existsSync(BUILT)) {
    try {
      await mkdir(lock);
    } catch {
      if (Date.now() > deadline) throw new Error(`another build holds ${lock}; remove it if no build runs`);
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      if (!existsSync(BUILT)) await buildConsole();
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

/**
 * Features behind the omnibox popup: Chromium 156 starts a renderer for it
 * (`chrome://omnibox-popup.top-chrome/`) with the first page of a window, about 1.3 s of CPU each
 * time and 17 s in a run of the suite, for a popup no test opens.
 */
export const OMNIBOX_POPUP_FEATURES = [
  'WebUIOmniboxPopup',
  'WebUIOmniboxFullPopup',
  'WebUIOmniboxAimPopup',
  'PreloadTopChromeWebUI',
];

/**
 * Launch options that turn the omnibox popup off and keep everything Playwright turns off.
 * Chromium keeps only the last `--disable-features` switch, so a second one would drop
 * Playwright's list: Playwright's own switch is taken from its default arguments (an internal of
 * playwright-core, whose version package.json pins) and replaced by one that adds ours. Should
 * that internal change, the browser is launched as Playwright makes it, popup and all.
 */
export function launchWithoutOmniboxPopup(): { ignoreDefaultArgs?: string[]; args: string[] } {
  try {
    const { server } = createRequire(import.meta.url)('playwright-core/lib/coreBundle') as {
      server: {
        createPlaywright(o: { sdkLanguage: string }): {
          chromium: { _innerDefaultArgs(o: { headless: boolean; args: string[] }): string[] };
        };
      };
    };
    const defaults = server.createPlaywright({ sdkLanguage: 'javascript' }).chromium._innerDefaultArgs({
      headless: true,
      args: [],
    });
    const features = defaults.filter((a) => a.startsWith('--disable-features='));
    if (features.length !== 1) return { args: [] };
    return { ignoreDefaultArgs: features, args: [`${features[0]},${OMNIBOX_POPUP_FEATURES.join(',')}`] };
  } catch {
    return { args: [] };
  }
}

let shared: Promise<Browser> | undefined;

/**
 * The test process's Chromium: launched by the first file that needs it and shared by the files
 * the process runs after it (they share its modules, see vitest.config.ts), each working in
 * contexts of its own (own cookies and storage) that it closes. Launching and closing a browser
 * cost about 3 s of CPU, a context about 1. Launched again if it has gone away; Playwright ends it
 * when the process exits. Not to be closed by a test.
 */
export async function sharedBrowser(): Promise<Browser> {
  const running = await shared?.catch(() => undefined);
  if (running?.isConnected()) return running;
  const popup = launchWithoutOmniboxPopup();
  shared = chromium.launch({
    executablePath: CHROMIUM,
    ...(popup.ignoreDefaultArgs ? { ignoreDefaultArgs: popup.ignoreDefaultArgs } : {}),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', ...popup.args],
  });
  return shared;
}

/** A fresh context (own cookies and storage) on the console, with a page and bounded waits. */
export async function openPage(
  browser: Browser,
  baseURL: string,
  opts: { locale?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport: VIEWPORT, locale: opts.locale ?? 'en-US' });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  return { context, page };
}

/** `[data-testid="..."]`: the console's stable, language-independent hooks (see web/src/app.tsx). */
export function tid(id: string): string {
  return `[data-testid="${id}"]`;
}

export function byTestId(page: Page | Locator, id: string): Locator {
  return page.locator(tid(id));
}

/** Waits until the element is visible and returns it. */
export async function visible(page: Page | Locator, id: string): Promise<Locator> {
  const l = byTestId(page, id).first();
  await l.waitFor({ state: 'visible', timeout: WAIT_MS });
  return l;
}

export async function gone(page: Page | Locator, id: string): Promise<void> {
  await byTestId(page, id).first().waitFor({ state: 'detached', timeout: WAIT_MS });
}

/**
 * Holds the answers to requests matching `url` back until `release()`, to see what a page shows
 * while it waits for them. `release` lets them through, waits until they have gone on, and stops
 * holding.
 */
export async function holdResponses(page: Page, url: string | RegExp): Promise<{ release: () => Promise<void> }> {
  let open = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const inFlight: Promise<void>[] = [];
  const handler = (route: Route) => {
    const done = gate.then(() => route.continue());
    inFlight.push(done);
    return done;
  };
  await page.route(url, handler);
  return {
    release: async () => {
      open();
      await Promise.all(inFlight);
      await page.unroute(url, handler);
    },
  };
}

export const PASSWORD = 'correct horse battery staple';

export interface Account {
  username: string;
  displayName: string;
  password: string;
}

/** Fills the first-run form; the caller checks where it lands. */
export async function fillSetup(page: Page, token: string, account: Account): Promise<void> {
  await (await visible(page, 'setup-token')).fill(token);
  await byTestId(page, 'setup-username').fill(account.username);
  await byTestId(page, 'setup-display-name').fill(account.displayName);
  await byTestId(page, 'setup-password').fill(account.password);
  await byTestId(page, 'setup-password-confirm').fill(account.password);
  await byTestId(page, 'setup-submit').click();
}

/**
 * Logs in and waits for the header of the app. It starts from `/` (which sends an anonymous
 * visitor to /login) so that the user lands on their home page, not on a page remembered from
 * before: Chromium keeps history.state when a page is loaded again at the same address.
 */
export async function login(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto('/');
  await (await visible(page, 'login-username')).fill(username);
  await byTestId(page, 'login-password').fill(password);
  await byTestId(page, 'login-submit').click();
  await visible(page, 'user-name');
}

/**
 * Opens a page from the menu and waits until the address is the entry's. Under load a click on
 * the menu was lost now and then (the page stayed where it was, and the server's log shows no
 * request of the page clicked), so the click is made again until the page has changed.
 */
export async function openFromNav(page: Page, entry: string): Promise<void> {
  const link = byTestId(page, `nav-${entry}`);
  const href = await link.getAttribute('href', { timeout: WAIT_MS });
  if (!href) throw new Error(`the menu entry nav-${entry} has no address`);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    await link.click();
    try {
      await page.waitForURL((u) => u.pathname === href, { timeout: 5_000 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

/** Logs out with the header's button and waits for the login form. */
export async function logout(page: Page): Promise<void> {
  await byTestId(page, 'logout').click();
  await visible(page, 'login-username');
}

/** The data-testids of the elements matching a prefix, in document order. */
export async function testIdsWithPrefix(page: Page | Locator, prefix: string): Promise<string[]> {
  const ids = await page
    .locator(`[data-testid^="${prefix}"]`)
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
  return ids.filter((id) => id.startsWith(prefix));
}

/** Makes the first administrator through the API (for tests about something else than setup). */
export async function setupAdminByApi(baseURL: string, token: string, account: Account): Promise<void> {
  const res = await fetch(`${baseURL}/api/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, ...account }),
  });
  if (res.status !== 200) throw new Error(`setup: ${res.status} ${await res.text()}`);
}

/**
 * A call to the console's API with the page's own session (and its CSRF token for changes), as
 * the console itself would make it: what a test checks beside what the page shows.
 */
export function pageApi<T>(
  page: Page,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const session = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const res = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as unknown };
    },
    { method, path, body },
  ) as Promise<{ status: number; body: T }>;
}
