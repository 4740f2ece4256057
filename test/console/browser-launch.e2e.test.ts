// The tests' Chromium is launched without the omnibox popup's renderer and with every feature
// Playwright turns off still off: one --disable-features switch on the browser's command line
// (Chromium keeps only the last), holding Playwright's list and ours. Fails loudly when a
// playwright-core upgrade changes the internal the launch options are taken from.
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { launchWithoutOmniboxPopup, OMNIBOX_POPUP_FEATURES, sharedBrowser, WAIT_MS } from '../helpers/browser.js';

/** Command lines of this process's children (the browser is one: Playwright spawns it). */
function childCommandLines(): string[][] {
  const out: string[][] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) out.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

it('takes Playwright’s feature switch from its defaults', () => {
  const opts = launchWithoutOmniboxPopup();
  expect(opts.ignoreDefaultArgs).toHaveLength(1);
  expect(opts.ignoreDefaultArgs![0]).toMatch(/^--disable-features=/);
  expect(opts.args).toEqual([`${opts.ignoreDefaultArgs![0]},${OMNIBOX_POPUP_FEATURES.join(',')}`]);
});

it('opens a page with no omnibox popup, Playwright’s disabled features kept', async () => {
  const browser = await sharedBrowser();
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto('data:text/html,<p>hello</p>', { timeout: WAIT_MS });
    const cdp = await browser.newBrowserCDPSession();
    const { targetInfos } = (await cdp.send('Target.getTargets', { filter: [{}] })) as {
      targetInfos: { type: string; url: string }[];
    };
    await cdp.detach();
    expect(targetInfos.filter((t) => t.url.includes('omnibox-popup'))).toEqual([]);
    expect(targetInfos.some((t) => t.type === 'page')).toBe(true);

    const browsers = childCommandLines().filter((argv) => argv.includes('--remote-debugging-pipe'));
    expect(browsers).toHaveLength(1);
    const switches = browsers[0]!.filter((a) => a.startsWith('--disable-features='));
    expect(switches).toHaveLength(1);
    const disabled = switches[0]!.slice('--disable-features='.length).split(',');
    // two of the features Playwright turns off (playwright-core's chromiumSwitches), and ours
    for (const f of ['PaintHolding', 'HttpsUpgrades', ...OMNIBOX_POPUP_FEATURES]) expect(disabled).toContain(f);
  } finally {
    await context.close();
  }
});
