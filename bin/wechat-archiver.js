#!/usr/bin/env node
// The installed command: runs the bundled CLI (built by `npm ci` through `prepare`; see
// scripts/bundle.mjs).
// The C library's malloc settings and the collector's growth factor are set first, before
// loading the CLI starts threads and grows the heap; free malloc memory is given back after
// each full collection.
import { applyMallocDefaults } from '../dist-bundle/cli/malloc-defaults.js';
import { applyGcDefaults } from '../dist-bundle/cli/gc-defaults.js';
import { trimAfterFullCollections } from '../dist-bundle/cli/malloc-trim.js';

await applyMallocDefaults();
applyGcDefaults();
await trimAfterFullCollections();
const { main } = await import('../dist-bundle/cli/main.js');
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
