/**
 * Bundles the compiled code (`dist/`, tsc's output) into `dist-bundle/`, what the installed
 * command runs (`npm run build` runs it after tsc).
 *
 * Why: Node 20 loads an ES module with a cost of its own, about 0.7 ms of CPU each, and a command
 * loaded some 700 of them (ours, Kysely's 263 and Zod's 95) before doing anything: 0.75-0.85 s of
 * CPU for `run` or `serve` here, 0.3-0.35 s bundled. Every command and every thread of the
 * service starts that much sooner.
 *
 * The bundle keeps the shape the code relies on:
 * - Every module that is started by its path is an entry point (`bundle-entries.mjs`) at the
 *   same place in `dist-bundle/` as in `dist/`: the CLI and the installed command's start-up
 *   modules, the worker threads' modules, the SDK host and the sources' normalizers (named by
 *   URL to the prepare threads). Code they share is split into `chunks/`, one copy each: a
 *   normalizer imported on the main thread (a batch prepared inline) shares its classes
 *   (ArchiverError...) with the pipeline that imports it, as in `dist/`.
 * - `import.meta.url` in a module means that module's place in `dist-bundle/` (the mirror of its
 *   place in `dist/`), whichever output file its code ended up in, so its relative lookups (a
 *   sibling thread module, `web/dist`, `createRequire`) land where they did.
 * - A command's modules are still loaded when it runs (the CLI imports each command lazily).
 * - Packages stay in `node_modules` and load as before, except Kysely and Zod: ESM packages of
 *   hundreds of small modules each, which cost the most to load one by one.
 *
 *   node scripts/bundle.mjs
 */
import { readFile, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_ENTRIES } from './bundle-entries.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const OUT_NAME = 'dist-bundle';
const OUT = join(ROOT, OUT_NAME);

/** Packages bundled in; every other dependency is loaded from node_modules. */
const BUNDLED_PACKAGES = new Set(['kysely', 'zod']);

const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies)
  .filter((name) => !BUNDLED_PACKAGES.has(name))
  .flatMap((name) => [name, `${name}/*`]);

/** The bundle's root URL, computed by each output file (entry or chunk) from its own URL. */
const MARK = `/${OUT_NAME}/`;
const ROOT_BANNER =
  `const __wxaBundleRoot = import.meta.url.slice(0, import.meta.url.lastIndexOf(${JSON.stringify(MARK)}) + ` +
  `${MARK.length});`;

/** Gives each compiled module its own `import.meta.url`: its place in the bundle's mirror of `dist/`. */
const ownModuleUrl = {
  name: 'own-module-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(DIST + sep)) return undefined;
      const source = await readFile(args.path, 'utf8');
      const rel = relative(DIST, args.path).split(sep).join('/');
      const own = `new URL(${JSON.stringify(rel)}, __wxaBundleRoot).href`;
      return { contents: source.replaceAll('import.meta.url', own), loader: 'js' };
    });
  },
};

await rm(OUT, { recursive: true, force: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: BUNDLE_ENTRIES.map((e) => join(DIST, e)),
  outbase: DIST,
  outdir: OUT,
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  banner: { js: ROOT_BANNER },
  plugins: [ownModuleUrl],
  logLevel: 'warning',
  metafile: true,
});
const outputs = Object.keys(result.metafile.outputs).length;
const inputs = Object.keys(result.metafile.inputs).length;
console.log(`${OUT_NAME}/: ${inputs} modules in ${outputs} files`);
