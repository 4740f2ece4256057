// Runs the CLI from the build (`dist-bundle/`, the bundle of the compiled `dist/` that the
// installed command runs; built by `npm ci` through `prepare`): what tests spawn when the build
// is up to date with `src/` (see cli-runtime.ts). The same as cli-entry.ts but for the
// TypeScript loader: no transform and no loader thread in every child process.
import { main } from '../../dist-bundle/cli/main.js';

process.exitCode = await main(process.argv);
