/**
 * Vitest global setup: chooses once per run how tests run the CLI in child processes (see
 * cli-runtime.ts) and tells the test processes through `WXA_TEST_CLI`, which they inherit.
 */
import { distStaleness } from './cli-runtime.js';

export default function setup(): void {
  if (process.env.WXA_TEST_CLI === 'dist' || process.env.WXA_TEST_CLI === 'tsx') return;
  const stale = distStaleness();
  process.env.WXA_TEST_CLI = stale ? 'tsx' : 'dist';
  if (stale)
    process.stderr.write(
      `CLI child processes run from the TypeScript sources through tsx (${stale}); ` +
        '`npm run build` first to run them from the compiled code, which is faster\n',
    );
}
