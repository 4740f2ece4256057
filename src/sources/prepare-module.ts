/**
 * Names the module a source's prepare threads load, as `siblingModule` names the thread's own
 * module: JavaScript in the build; under the test runner the compiled twin when the run chose the
 * compiled code (the prepare thread is then compiled too), else the TypeScript source (the
 * threads then start with the tsx loader). The thread and the module it loads always agree.
 */
import { pathToFileURL } from 'node:url';
import { siblingModule } from '../core/sibling-module.js';

export function prepareModule(base: string, name: string): string {
  return pathToFileURL(siblingModule(base, `./${name}`, { compiledUnderTest: true }).path).href;
}
