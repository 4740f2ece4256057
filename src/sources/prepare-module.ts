/**
 * Names the module a source's prepare threads load. Under the test runner the sources are
 * TypeScript (the threads then start with the tsx loader); in the build they are JavaScript.
 */
export function prepareModule(base: string, name: string): string {
  return new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base).href;
}
