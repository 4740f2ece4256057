// Prepare pools ended while their threads are still loading their module (a run that stops at
// once ends the pool its threads were starting for). Node 20.19 and later load a thread's ES
// module through require(esm) when Piscina asks for it with require(), and a thread ended inside
// that aborted the whole process in Node's C++, taking every run of the process with it. The
// pools now start their threads with require(esm) off, and Piscina imports the module instead.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childModule } from './helpers/cli-runtime.js';

const POOL = childModule(new URL('../src/pipeline/worker-pool.ts', import.meta.url).href);
const NORMALIZER = new URL('../src/sources/sandbox/normalize.ts', import.meta.url).href;
const ROUNDS = 60;

// Each round starts a pool of two threads and ends it at a random moment of their start (a
// thread here loads its module in about 160 ms); then one more pool must come up and prepare an
// (empty) batch: its thread loaded the module by import().
const CHURN = `
  const { leasePool } = await import(${JSON.stringify(POOL.href)});
  const setup = {
    connectorId: 'churn',
    normalizer: { module: ${JSON.stringify(NORMALIZER)}, setup: {} },
    directory: { corpId: 'c', corpName: 'c', people: [], rooms: [] },
    mapping: { csvRows: [], autoFromDirectoryEmail: true },
  };
  for (let i = 0; i < ${ROUNDS}; i++) {
    const { release } = await leasePool(setup, 2);
    await new Promise((r) => setTimeout(r, Math.random() * 200));
    await release();
  }
  const { pool, release } = await leasePool(setup, 1);
  const answer = await pool.run({ op: 'prepare', records: [] });
  await release();
  process.stdout.write(JSON.stringify({ rounds: ${ROUNDS}, answer }));
`;

function churn(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...POOL.execArgv, '--input-type=module', '-e', CHURN], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe('prepare pools ended as their threads start', () => {
  it('end their threads, never the process, and the next pool still loads its module', async () => {
    const r = await churn();
    expect(r.stderr, r.stderr.slice(0, 2000)).not.toMatch(/Assertion failed|FATAL ERROR|Native stack trace/);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
    // the thread loaded the prepare module and its normalizer, and prepared an empty batch
    expect(JSON.parse(r.stdout)).toEqual({ rounds: ROUNDS, answer: [] });
  }, 120_000);
});
