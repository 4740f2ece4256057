// Runs the CLI from its TypeScript sources (tests spawn this to exercise a real process).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
