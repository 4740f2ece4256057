// Runs the CLI from the compiled code (`dist/`, built by `npm ci` through `prepare`): what tests
// spawn when `dist/` is up to date with `src/` (see cli-runtime.ts). The same as cli-entry.ts
// but for the TypeScript loader: no transform and no loader thread in every child process.
import { main } from '../../dist/cli/main.js';

process.exitCode = await main(process.argv);
