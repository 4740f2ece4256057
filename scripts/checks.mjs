/**
 * The static checks at once (`npm run check`; CI runs them before `npm test`): both type checks
 * (one after the other), ESLint and Prettier each run as its own process, so on a machine with
 * several cores they take the time of the longest instead of the sum. Each one's output is printed whole when it ends, in this order,
 * and the script fails when any of them did.
 *
 *   node scripts/checks.mjs
 *
 * Plain JavaScript run by Node alone: it must work before anything is built.
 */
import { spawn } from 'node:child_process';

const CHECKS = [
  { name: 'typecheck', cmd: 'npm', args: ['run', '--silent', 'typecheck'] },
  { name: 'eslint', cmd: 'npx', args: ['eslint', '.'] },
  { name: 'prettier', cmd: 'npx', args: ['prettier', '--check', '.'] },
];

function run(check) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(check.cmd, check.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('error', (err) => out.push(Buffer.from(`${check.name}: ${err.message}\n`)));
    child.on('close', (code) =>
      resolve({ ...check, code: code ?? 1, out: Buffer.concat(out), ms: Date.now() - started }),
    );
  });
}

const results = await Promise.all(CHECKS.map(run));
let failed = 0;
for (const r of results) {
  process.stdout.write(
    `== ${r.name}: ${r.code === 0 ? 'ok' : `failed (exit ${r.code})`} in ${(r.ms / 1000).toFixed(1)} s\n`,
  );
  if (r.out.length > 0) process.stdout.write(r.out);
  if (r.code !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
