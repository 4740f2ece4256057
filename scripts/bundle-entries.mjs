/**
 * The entry points of the bundle (scripts/bundle.mjs), relative to `dist/`: every module that is
 * started by its path (a worker thread, a child process, the installed command's start-up
 * modules) or named by URL (a source's normalizer, which the prepare threads load). A module the
 * code starts that is missing here is missing from the bundle: `test/layering.test.ts` checks
 * this list against the sources.
 */
export const BUNDLE_ENTRIES = [
  'cli/main.js',
  'cli/malloc-defaults.js',
  'cli/gc-defaults.js',
  'cli/malloc-trim.js',
  'pipeline/decrypt-worker.js',
  'compliance/search/extract/worker.js',
  'mapping/parse-worker.js',
  'compliance/export/batch-worker.js',
  'sources/wecom/sdk-host/host-main.js',
  'sources/sandbox/normalize.js',
  'sources/wecom/normalize.js',
];
