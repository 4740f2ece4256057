// The setup page tells a newcomer where the one-time token was printed: by the command they ran
// (`npm start`, which runs `wechat-archiver serve`), in both languages, and `serve` prints it in
// exactly the words the page promises (see test/serve.e2e.test.ts for the printed line).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const hint = (lang: string): string =>
  (
    JSON.parse(readFileSync(new URL(`../../web/src/locales/${lang}/common.json`, import.meta.url), 'utf8')) as {
      setup: { tokenHint: string };
    }
  ).setup.tokenHint;

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  scripts: { start: string };
};

describe('setup token hint', () => {
  it('names npm start and the serve command it runs, in English and Chinese', () => {
    expect(PACKAGE.scripts.start).toMatch(/wechat-archiver\.js serve$/);
    for (const lang of ['en', 'zh-CN']) {
      expect(hint(lang), lang).toContain('npm start');
      expect(hint(lang), lang).toContain('wechat-archiver serve');
      expect(hint(lang), lang).not.toMatch(/first start|首次运行/);
    }
  });
});
