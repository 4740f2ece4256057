/**
 * How tests run the CLI in a child process: from the build when it is up to date with `src/`
 * (the bundle in `dist-bundle/` that the installed command runs; modules the tests start by
 * path, below, from the compiled `dist/` it is made of), else from the TypeScript sources
 * through tsx. The suite spawns a few hundred CLI processes (crash and resume, several
 * processes, `serve` for the console); through tsx each paid about a second of CPU to load and
 * transform the sources, and its prepare threads loaded tsx again, on a suite bound by CPU.
 * `npm ci` builds both (the `prepare` script), so CI runs the build; after an edit without
 * `npm run build`, the sources run, as before.
 *
 * The global setup (`cli-runtime-global-setup.ts`) decides once per run and says so in
 * `WXA_TEST_CLI` (`dist` or `tsx`), which the test processes inherit; set it beforehand to choose.
 */
import { statSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { siblingModule } from '../../src/core/sibling-module.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TS_ENTRY = join(ROOT, 'test', 'helpers', 'cli-entry.ts');
const DIST_ENTRY = join(ROOT, 'test', 'helpers', 'cli-entry-dist.mjs');
/** Built in this order by `npm run build`: tsc's output, then the bundle made of it. */
const BUILT = [join(ROOT, 'dist', 'cli', 'main.js'), join(ROOT, 'dist-bundle', 'cli', 'main.js')];

/**
 * Node's arguments that run the CLI (the CLI's own arguments follow): the compiled code when the
 * run chose it, the sources otherwise (also in a script outside the suite, where nothing chose).
 */
export function cliNodeArgs(): string[] {
  return process.env.WXA_TEST_CLI === 'dist' ? [DIST_ENTRY] : ['--import', 'tsx', TS_ENTRY];
}

/**
 * A module of `src/` for a child process's own script (`node -e`): its URL and the Node arguments
 * that load it, as `siblingModule` gives them for a module the code itself starts: the compiled
 * twin in `dist/` when the run chose the compiled code, so the child starts without the
 * TypeScript loader (about 0.3 s of CPU less, and no loader thread); the source through tsx
 * otherwise.
 */
export function childModule(sourceUrl: string): { href: string; execArgv: string[] } {
  const name = basename(fileURLToPath(sourceUrl), '.ts');
  const { path, execArgv } = siblingModule(sourceUrl, `./${name}`, { compiledUnderTest: true });
  return { href: pathToFileURL(path).href, execArgv };
}

/** The newest modification time of the compiled sources under `dir`, ms. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (!e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Whether `dist/` and `dist-bundle/` were built after the last change to `src/` (tsc writes
 * every output on each build, and the bundle is written whole after it, so their entries' times
 * are the builds'): why not, when they were not.
 */
export function distStaleness(): string | undefined {
  let built = Infinity;
  for (const entry of BUILT) {
    try {
      built = Math.min(built, statSync(entry).mtimeMs);
    } catch {
      return `${entry.slice(ROOT.length)} is not built`;
    }
  }
  const newest = newestSource(join(ROOT, 'src'));
  if (newest > built) return 'src/ changed after the build';
  return undefined;
}
