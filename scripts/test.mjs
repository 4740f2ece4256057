/**
 * `npm test`: the static checks (`scripts/checks.mjs`: both type checks, ESLint, Prettier) and
 * Vitest at the same time, so that the suite starts at once and the checks use whatever cores it
 * leaves. On a 2-core machine the suite alone keeps both cores busy (idle 1.6% of the time in a
 * `vmstat` sample), so there the checks' CPU is added to its time rather than hidden; with more
 * cores it is hidden. Vitest's output is shown as it runs; the checks' output is printed whole
 * once both have ended, and the script fails when either did. Arguments go to Vitest
 * (`npm test -- test/export.test.ts`).
 *
 *   node scripts/test.mjs [VITEST ARGS...]
 *
 * Plain JavaScript run by Node alone: it must work before anything is built.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const checksScript = fileURLToPath(new URL('./checks.mjs', import.meta.url));
const started = Date.now();

function finished(child) {
  return new Promise((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`${err.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const checksOut = [];
const checks = spawn(process.execPath, [checksScript], { stdio: ['ignore', 'pipe', 'pipe'] });
checks.stdout.on('data', (d) => checksOut.push(d));
checks.stderr.on('data', (d) => checksOut.push(d));
const vitest = spawn('npx', ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });

// Ctrl-C reaches both through the terminal's process group; a TERM from a supervisor is passed on.
process.on('SIGTERM', () => {
  checks.kill('SIGTERM');
  vitest.kill('SIGTERM');
});

const [checksCode, vitestCode] = await Promise.all([finished(checks), finished(vitest)]);
process.stdout.write(`\n== static checks (ran beside Vitest)\n`);
process.stdout.write(Buffer.concat(checksOut));
process.stdout.write(
  `== npm test: checks ${checksCode === 0 ? 'passed' : 'FAILED'}, Vitest ${vitestCode === 0 ? 'passed' : 'FAILED'}; ` +
    `${((Date.now() - started) / 1000).toFixed(0)} s in all\n`,
);
process.exit(checksCode === 0 && vitestCode === 0 ? 0 : 1);
