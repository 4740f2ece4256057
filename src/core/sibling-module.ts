/**
 * A module beside the calling one, to run in a worker thread or a child process, with the Node
 * arguments that run it. The build runs the `.js` file as it is. Under the test runner the caller
 * is TypeScript, and so is its sibling: it then needs the tsx loader, unless `compiledUnderTest`
 * is asked and the test run has said that the compiled code in `dist/` is current
 * (`WXA_TEST_CLI=dist`, test/helpers/cli-runtime.ts): then the compiled twin runs, without
 * transforming the sources in every process (0.49 s of CPU for an SDK host process through tsx
 * here, 0.16 s compiled). Only for a module that loads nothing by a TypeScript path of its own
 * (a compiled prepare thread loads the compiled twin of the normalizer a source names: see
 * prepare-task.ts).
 */
import { sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { testOnlyVariable } from './test-only.js';

export const TEST_COMPILED_VARIABLE = 'WXA_TEST_CLI';

export interface SiblingModule {
  path: string;
  execArgv: string[];
}

/** `base` is the module's name without extension, e.g. './host-main'. */
export function siblingModule(
  callerUrl: string,
  base: string,
  opts: { compiledUnderTest?: boolean } = {},
  env: NodeJS.ProcessEnv = process.env,
): SiblingModule {
  if (!callerUrl.endsWith('.ts')) return { path: fileURLToPath(new URL(`${base}.js`, callerUrl)), execArgv: [] };
  const source = fileURLToPath(new URL(`${base}.ts`, callerUrl));
  const twin = compiledTwin(source);
  if (
    opts.compiledUnderTest &&
    twin !== undefined &&
    testOnlyVariable(TEST_COMPILED_VARIABLE, 'runs child processes from the compiled code', env) === 'dist'
  )
    return { path: twin, execArgv: [] };
  return { path: source, execArgv: ['--import', 'tsx'] };
}

/** `dist/x/y.js` for the source `src/x/y.ts` (a path); undefined for a file outside `src/`. */
export function compiledTwin(source: string): string | undefined {
  const srcDir = `${sep}src${sep}`;
  const at = source.lastIndexOf(srcDir);
  if (at < 0 || !source.endsWith('.ts')) return undefined;
  return `${source.slice(0, at)}${sep}dist${sep}${source.slice(at + srcDir.length, -'.ts'.length)}.js`;
}

/**
 * Node's switch for require(esm), which Node 20.19 and later turn on by default. Checked, so that
 * a Node without the switch runs the threads as it would anyway.
 */
const NO_REQUIRE_ESM = '--no-experimental-require-module';
const THREAD_FLAGS = process.allowedNodeEnvironmentFlags.has(NO_REQUIRE_ESM) ? [NO_REQUIRE_ESM] : [];

/**
 * The module a Piscina pool's threads run (beside the caller, the compiled twin under a test run
 * on the compiled code), and their Node arguments. Piscina loads a thread's module with
 * `require()` first and `import()` only when that fails; from Node 20.19 `require()` loads an ES
 * module's whole graph at once, synchronously (require(esm)), and a thread ended while it does
 * (its pool destroyed as the thread starts, after a run that stopped at once; a task timed out)
 * aborted the whole process inside Node (`Assertion failed ... InstantiateModule`, `IsGraphAsync
 * must be used on an instantiated module`), not just the thread. With require(esm) off in the
 * thread, `require()` refuses the module before loading any of it and Piscina imports it, which
 * a thread's end interrupts cleanly.
 */
export function poolThreadModule(callerUrl: string, base: string, env: NodeJS.ProcessEnv = process.env): SiblingModule {
  const m = siblingModule(callerUrl, base, { compiledUnderTest: true }, env);
  return { path: m.path, execArgv: [...m.execArgv, ...THREAD_FLAGS] };
}

/**
 * A `Worker` running the ES module beside the caller: its file when it is JavaScript. A
 * TypeScript sibling (the tests on the sources) is imported by a short script that first
 * registers tsx in the thread itself: Node 20 applies no import hooks of `--import tsx` to a
 * worker thread's modules, which then fail with "Unknown file extension .ts".
 */
export function threadModule(
  callerUrl: string,
  base: string,
  env: NodeJS.ProcessEnv = process.env,
): { entry: string; options: { eval?: true; execArgv: string[] } } {
  const m = siblingModule(callerUrl, base, { compiledUnderTest: true }, env);
  if (!m.path.endsWith('.ts')) return { entry: m.path, options: { execArgv: m.execArgv } };
  const url = JSON.stringify(pathToFileURL(m.path).href);
  return {
    entry: `import('tsx/esm/api').then(({ register }) => { register(); return import(${url}); });`,
    options: { eval: true, execArgv: [] },
  };
}
