/**
 * A module beside the calling one, to run in a worker thread or a child process, with the Node
 * arguments that run it. The build runs the `.js` file as it is. Under the test runner the caller
 * is TypeScript, and so is its sibling: it then needs the tsx loader, unless `compiledUnderTest`
 * is asked and the test run has said that the compiled code in `dist/` is current
 * (`WXA_TEST_CLI=dist`, test/helpers/cli-runtime.ts): then the compiled twin runs, without
 * transforming the sources in every process (0.49 s of CPU for an SDK host process through tsx
 * here, 0.16 s compiled). Only for a module that loads nothing by a TypeScript path of its own
 * (the prepare thread loads its source's normalizer by the path `prepareModule` gives, which
 * follows the same choice).
 */
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  const srcDir = `${sep}src${sep}`;
  const at = source.lastIndexOf(srcDir);
  if (
    opts.compiledUnderTest &&
    at >= 0 &&
    testOnlyVariable(TEST_COMPILED_VARIABLE, 'runs child processes from the compiled code', env) === 'dist'
  ) {
    const twin = `${source.slice(0, at)}${sep}dist${sep}${source.slice(at + srcDir.length, -'.ts'.length)}.js`;
    return { path: twin, execArgv: [] };
  }
  return { path: source, execArgv: ['--import', 'tsx'] };
}
