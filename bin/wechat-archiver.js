#!/usr/bin/env node
// The installed command: runs the compiled CLI (built by `npm ci` through `prepare`).
// The collector's growth factor is set first, before loading the CLI grows the heap.
import { applyGcDefaults } from '../dist/cli/gc-defaults.js';

applyGcDefaults();
const { main } = await import('../dist/cli/main.js');
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
