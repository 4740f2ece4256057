import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ArchiverError } from './errors.js';
import { poolThreadModule, siblingModule, TEST_COMPILED_VARIABLE, threadModule } from './sibling-module.js';

const ROOT = join('/opt', 'app');
const tsCaller = pathToFileURL(join(ROOT, 'src', 'sources', 'wecom', 'sdk-host', 'host-spawn.ts')).href;
const jsCaller = pathToFileURL(join(ROOT, 'dist', 'sources', 'wecom', 'sdk-host', 'host-spawn.js')).href;
const testEnv = (extra: NodeJS.ProcessEnv = {}) => ({ NODE_ENV: 'test', ...extra });

describe('siblingModule', () => {
  it('runs the compiled sibling as it is in the build', () => {
    expect(siblingModule(jsCaller, './host-main', { compiledUnderTest: true }, {})).toEqual({
      path: join(ROOT, 'dist', 'sources', 'wecom', 'sdk-host', 'host-main.js'),
      execArgv: [],
    });
  });

  it('loads a TypeScript sibling through tsx', () => {
    for (const opts of [{}, { compiledUnderTest: true }])
      expect(siblingModule(tsCaller, './host-main', opts, testEnv())).toEqual({
        path: join(ROOT, 'src', 'sources', 'wecom', 'sdk-host', 'host-main.ts'),
        execArgv: ['--import', 'tsx'],
      });
  });

  it('runs the compiled twin under dist/ when asked and the test run says it is current', () => {
    const env = testEnv({ [TEST_COMPILED_VARIABLE]: 'dist' });
    expect(siblingModule(tsCaller, './host-main', { compiledUnderTest: true }, env)).toEqual({
      path: join(ROOT, 'dist', 'sources', 'wecom', 'sdk-host', 'host-main.js'),
      execArgv: [],
    });
    // not asked (a module that loads others by a TypeScript path), or the sources chosen
    expect(siblingModule(tsCaller, './host-main', {}, env).execArgv).toEqual(['--import', 'tsx']);
    const tsx = testEnv({ [TEST_COMPILED_VARIABLE]: 'tsx' });
    expect(siblingModule(tsCaller, './host-main', { compiledUnderTest: true }, tsx).execArgv).toEqual([
      '--import',
      'tsx',
    ]);
  });

  it('refuses the variable outside the test runner', () => {
    const env = { [TEST_COMPILED_VARIABLE]: 'dist' };
    expect(() => siblingModule(tsCaller, './host-main', { compiledUnderTest: true }, env)).toThrow(ArchiverError);
    expect(() => siblingModule(tsCaller, './host-main', { compiledUnderTest: true }, env)).toThrow(
      /WXA_TEST_CLI .* accepted only by the test suite/,
    );
  });

  it("starts a pool's threads with require(esm) off, so that Piscina imports their module", () => {
    // Node 20.19 and later have the switch (package.json asks for 20.19); a Node without it
    // would reject an unknown thread argument, so the switch is given only where it exists.
    expect(process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module')).toBe(true);
    expect(poolThreadModule(jsCaller, './worker', {})).toEqual({
      path: join(ROOT, 'dist', 'sources', 'wecom', 'sdk-host', 'worker.js'),
      execArgv: ['--no-experimental-require-module'],
    });
    expect(poolThreadModule(tsCaller, './worker', testEnv()).execArgv).toEqual([
      '--import',
      'tsx',
      '--no-experimental-require-module',
    ]);
  });

  it('starts a worker on the compiled module as it is, and on a TypeScript one through tsx registered in the thread', () => {
    expect(threadModule(jsCaller, './batch-worker', {})).toEqual({
      entry: join(ROOT, 'dist', 'sources', 'wecom', 'sdk-host', 'batch-worker.js'),
      options: { execArgv: [] },
    });
    const ts = threadModule(tsCaller, './batch-worker', testEnv());
    expect(ts.options).toEqual({ eval: true, execArgv: [] });
    expect(ts.entry).toContain("import('tsx/esm/api')");
    expect(ts.entry).toContain(
      JSON.stringify(pathToFileURL(join(ROOT, 'src', 'sources', 'wecom', 'sdk-host', 'batch-worker.ts')).href),
    );
  });
});
