// The module graph keeps its layers: what a part loads is what it needs. The configuration
// loader validates destinations without loading their clients; the pipeline's prepare thread and
// the connector definitions load no HTTP layer; nothing outside src/server imports it except the
// command that serves the console. Checked on the modules Node really resolves, in a child
// process that records every resolution. The shipped code holds no test helpers.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_ENTRIES } from '../scripts/bundle-entries.mjs';

const ROOT = join(import.meta.dirname, '..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxa-layering-'));
  // A resolve hook that names each resolution and its importer: `EDGE <parent URL> <resolved URL>`.
  await writeFile(
    join(dir, 'edges.mjs'),
    `export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  process.stderr.write('EDGE ' + ctx.parentURL + ' ' + r.url + '\\n');
  return r;
}
`,
  );
  await writeFile(
    join(dir, 'register-edges.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'edges.mjs')).href)});\n`,
  );
});

afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Every non-test TypeScript file under src/, with its path from the root and its text. */
async function sourceFiles(dir = join(ROOT, 'src')): Promise<{ rel: string; text: string }[]> {
  const out: { rel: string; text: string }[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sourceFiles(p)));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
      out.push({ rel: relative(ROOT, p), text: await readFile(p, 'utf8') });
  }
  return out;
}

/** Test files (and test helpers under test/), by path relative to the repository. */
async function testFiles(dir: string): Promise<{ rel: string; text: string }[]> {
  const out: { rel: string; text: string }[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await testFiles(p)));
    else if (e.name.endsWith('.ts') && (e.name.endsWith('.test.ts') || !p.startsWith(join(ROOT, 'src'))))
      out.push({ rel: relative(ROOT, p), text: await readFile(p, 'utf8') });
  }
  return out;
}

/** Modules that are a part's public face (its index) or run by name (the command's main). */
const isEntryPoint = (rel: string): boolean => rel.endsWith('/index.ts') || rel === 'src/cli/main.ts';

/** Imports `files` in a child process with the hooks `register` names; its stderr, which they write to. */
function importWith(register: string, files: string[]): string {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      pathToFileURL(join(dir, register)).href,
      '--input-type=module',
      '-e',
      files.map((f) => `await import(${JSON.stringify(pathToFileURL(join(ROOT, f)).href)});`).join('\n'),
    ],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'test' } },
  );
  expect(r.status, r.stderr).toBe(0);
  return r.stderr;
}

/** The pipeline's modules but its thread body (which reads its workerData when loaded). */
const PIPELINE = readdirSync(join(ROOT, 'src/pipeline'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'decrypt-worker.ts')
  .map((f) => `src/pipeline/${f}`);

/** Every module whose loads a test below asks about. */
const ENTRIES = [
  'src/config/index.ts',
  'src/pipeline/decrypt.ts',
  'src/pipeline/prepare.ts',
  'src/connectors/managed.ts',
  'src/pipeline/index.ts',
  'src/cli/commands/serve.ts',
  'src/cli/commands/serve-roles.ts',
  'src/pipeline/prepare-task.ts',
  'src/core/fault-points.ts',
  'src/store/index.ts',
  'src/destinations/index.ts',
  'src/compliance/export/index.ts',
  'src/compliance/export/batch-write.ts',
  ...PIPELINE,
];

/**
 * Every (importer, imported) resolution Node makes, by URL, when one child process imports all
 * of ENTRIES (a transpiling child per entry cost most of this file's time): what an entry loads
 * is then what is reachable from it. Each module's own imports are the same whoever imported it
 * first, and an edge only a later import made would count against an entry, never hide a load.
 */
let edgeMap: Map<string, Set<string>> | undefined;
function edgeGraph(): Map<string, Set<string>> {
  if (edgeMap) return edgeMap;
  edgeMap = new Map();
  for (const line of importWith('register-edges.mjs', ENTRIES).split('\n')) {
    if (!line.startsWith('EDGE ')) continue;
    const [from, to] = line.slice('EDGE '.length).split(' ') as [string, string];
    if (!to.startsWith('file:')) continue;
    const set = edgeMap.get(from) ?? new Set<string>();
    set.add(to);
    edgeMap.set(from, set);
  }
  return edgeMap;
}

/** The URLs reachable from `files` (themselves included). */
function reachable(files: string[]): Set<string> {
  const graph = edgeGraph();
  const urls = files.map((f) => pathToFileURL(join(ROOT, f)).href);
  for (const url of urls)
    expect(graph.has(url) || [...graph.values()].some((s) => s.has(url)), `${url} was imported`).toBe(true);
  const seen = new Set(urls);
  const todo = [...urls];
  while (todo.length)
    for (const next of graph.get(todo.pop()!) ?? []) if (!seen.has(next) && seen.add(next)) todo.push(next);
  return seen;
}

/** Every module (project files relative to the root, packages by name) loaded by importing `file`. */
function loadedBy(file: string): string[] {
  return [
    ...new Set(
      [...reachable([file])].map((url) => {
        const p = fileURLToPath(url);
        const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p);
        return m ? m[1]! : relative(ROOT, p);
      }),
    ),
  ];
}

/** Every (importer, imported) pair of project files Node resolves when importing `files`. */
function importEdges(files: string[]): [string, string][] {
  const from = reachable(files);
  const project = (url: string) => relative(ROOT, fileURLToPath(url));
  const out: [string, string][] = [];
  for (const [a, tos] of edgeGraph()) if (from.has(a)) for (const b of tos) out.push([project(a), project(b)]);
  return out;
}

const HTTP = (m: string) => m.startsWith('src/server/') || m === 'fastify' || m.startsWith('@fastify/');
const DELIVERY_CLIENTS = ['imapflow', '@azure/msal-node', 'nodemailer'];

describe('layers', () => {
  it('the configuration loader validates destinations without loading their clients or the HTTP layer', () => {
    const loaded = loadedBy('src/config/index.ts');
    expect(loaded).toContain('src/destinations/schema.ts');
    expect(loaded.filter((m) => DELIVERY_CLIENTS.includes(m) || HTTP(m))).toEqual([]);
    expect(loaded.filter((m) => /^src\/destinations\/(imap|graph|gmail)\/(?!config\.ts$)/.test(m))).toEqual([]);
  });

  it('the prepare thread and the connector definitions load no HTTP layer', () => {
    for (const entry of [
      'src/pipeline/decrypt.ts',
      'src/pipeline/prepare.ts',
      'src/connectors/managed.ts',
      'src/pipeline/index.ts',
    ]) {
      const loaded = loadedBy(entry);
      expect(loaded.length, entry).toBeGreaterThan(3);
      expect(loaded.filter(HTTP), entry).toEqual([]);
    }
  });

  it('a serve process of the capture or worker role loads no HTTP layer: the console is imported only to serve it', () => {
    for (const entry of ['src/cli/commands/serve.ts', 'src/cli/commands/serve-roles.ts']) {
      const loaded = loadedBy(entry);
      expect(loaded, entry).toContain('src/pipeline/roles.ts');
      expect(loaded, entry).toContain('src/pipeline/record-worker.ts');
      expect(loaded.filter(HTTP), entry).toEqual([]);
    }
  });

  it('the prepare thread loads neither the store, its query builder nor the thread pool', () => {
    // What each prepare thread holds in its heap, twice over on two cores: the thread body
    // (decrypt-worker.ts, which reads its workerData when loaded) imports these two modules.
    const loaded = [...loadedBy('src/pipeline/prepare-task.ts'), ...loadedBy('src/core/fault-points.ts')];
    expect(loaded).toContain('src/pipeline/prepare.ts');
    expect(
      loaded.filter((m) => m.startsWith('src/store/') || ['kysely', 'better-sqlite3', 'piscina', 'pino'].includes(m)),
    ).toEqual([]);
  });

  it('the pipeline resolves no module of a source: sources plug in through src/sources/types.ts', async () => {
    const modules = (await readdir(join(ROOT, 'src/pipeline')))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => `src/pipeline/${f}`);
    // The thread body reads its workerData when loaded, so it is not imported here; the scan of
    // the text below covers it, and what it imports is imported here.
    const importable = modules.filter((f) => f !== 'src/pipeline/decrypt-worker.ts');
    const edges = importEdges(importable);
    const fromPipeline = edges.filter(([from]) => from.startsWith('src/pipeline/'));
    expect(new Set(fromPipeline.map(([from]) => from)).size).toBeGreaterThan(10);
    expect(fromPipeline.filter(([, to]) => to.startsWith('src/sources/'))).toEqual([]);
    // Nor through another layer: a run loads a source only from the registry its caller hands in.
    expect(edges.filter(([, to]) => to.startsWith('src/sources/'))).toEqual([]);
    // Only the seam's types may be named in the text (erased at build), never a concrete source.
    const named: string[] = [];
    for (const f of modules) {
      for (const m of (await readFile(join(ROOT, f), 'utf8')).matchAll(
        /^import(?: type)? [^;]*? from '([^']*sources\/[^']*)'/gms,
      ))
        if (!(m[0].startsWith('import type') && m[1]!.endsWith('/sources/types.js'))) named.push(`${f}: ${m[1]}`);
    }
    expect(named).toEqual([]);
  });

  it('the destinations load their clients only when used: msal for a token, imapflow for a connection, mailparser for a Graph item', () => {
    const loaded = loadedBy('src/destinations/index.ts');
    expect(loaded).toContain('src/destinations/graph/token.ts');
    expect(loaded).toContain('src/destinations/imap/destination.ts');
    expect(loaded).toContain('src/destinations/imap/multiappend.ts');
    expect(loaded).toContain('src/destinations/graph/mime-parts.ts');
    expect(loaded.filter((m) => m.startsWith('@azure/') || /^(imapflow|mailparser)\b/.test(m))).toEqual([]);
  });

  it('an export loads the RSMF and PDF writers and their libraries only for those formats', () => {
    // The export's own thread (its public face, which the command and the console import) and
    // its writing threads (batch-write.ts, what batch-worker.ts runs): an EML or mbox export
    // needs no MIME parser, zip, PDF or charset library, and each cost every thread CPU at start.
    const FORMAT_LIBS = ['mailparser', 'fflate', 'pdfkit', 'fontkit', 'libmime', 'html-to-text', 'iconv-lite'];
    for (const entry of ['src/compliance/export/index.ts', 'src/compliance/export/batch-write.ts']) {
      const loaded = loadedBy(entry);
      expect(loaded, entry).toContain('src/compliance/export/names.ts');
      expect(loaded, entry).toContain('src/compliance/export/headers.ts');
      expect(
        loaded.filter(
          (m) =>
            FORMAT_LIBS.includes(m) ||
            /^src\/compliance\/export\/(rsmf|rsmf-write|pdf-write|pdf-transcript|parsed-items)\.ts$/.test(m),
        ),
        entry,
      ).toEqual([]);
    }
  });

  it('the store loads the AWS SDK only when blobs are in S3', () => {
    const loaded = loadedBy('src/store/index.ts');
    expect(loaded).toContain('src/store/blobs/open.ts');
    expect(loaded.filter((m) => m.startsWith('@aws-sdk/') || m.startsWith('src/store/blobs-s3/'))).toEqual([]);
  });

  it('only the serve command imports src/server from outside it', async () => {
    const offenders: string[] = [];
    for (const { rel, text } of await sourceFiles()) {
      if (rel.startsWith('src/server/') || rel === 'src/cli/commands/serve.ts') continue;
      if (/from '(\.\.\/)+server\//.test(text)) offenders.push(rel);
    }
    expect(offenders).toEqual([]);
  });

  it('the shipped code holds no test helpers: no module under src is used by tests alone', async () => {
    // A relative specifier ('./x.js', '../y/z.js') names a module, whether imported or loaded by
    // URL (worker threads); a module that only test files name belongs under test/.
    const named = (from: string, text: string): string[] =>
      [...text.matchAll(/'(\.\.?\/[^']+)\.js'/g)].map((m) => join(dirname(from), `${m[1]}.ts`));
    const shipped = await sourceFiles();
    const byShipped = new Set(shipped.flatMap((f) => named(f.rel, f.text)));
    // The installed command loads its memory settings from the build before anything else.
    const bin = await readFile(join(ROOT, 'bin', 'wechat-archiver.js'), 'utf8');
    for (const m of bin.matchAll(/'\.\.\/dist-bundle\/([^']+)\.js'/g)) byShipped.add(`src/${m[1]}.ts`);
    const byTests = new Set<string>();
    for (const f of [...(await testFiles(join(ROOT, 'src'))), ...(await testFiles(join(ROOT, 'test')))])
      for (const n of named(f.rel, f.text)) byTests.add(n);
    const offenders = shipped
      .map((f) => f.rel)
      .filter((rel) => byTests.has(rel) && !byShipped.has(rel) && !isEntryPoint(rel));
    expect(offenders).toEqual([]);
    expect(shipped.filter((f) => /from '(\.\.\/)+test\//.test(f.text)).map((f) => f.rel)).toEqual([]);
  });

  it('every module the code starts by path is an entry of the bundle the installed command runs', async () => {
    // siblingModule, poolThreadModule or threadModule(import.meta.url, './x') starts a thread or
    // process on a module beside the caller; prepareModule(import.meta.url, 'x') names a
    // normalizer the prepare threads load.
    const started = new Set<string>();
    for (const { rel, text } of await sourceFiles()) {
      const at = (name: string) => `${relative('src', dirname(rel))}/${name}.js`.replace(/^\//, '');
      for (const m of text.matchAll(
        /(?:siblingModule|poolThreadModule|threadModule)\(import\.meta\.url, '\.\/([^']+)'/g,
      ))
        started.add(at(m[1]!));
      for (const m of text.matchAll(/prepareModule\(import\.meta\.url, '([^']+)'\)/g)) started.add(at(m[1]!));
    }
    expect(started.size).toBeGreaterThanOrEqual(6);
    expect([...started].filter((e) => !BUNDLE_ENTRIES.includes(e))).toEqual([]);
    const bin = await readFile(join(ROOT, 'bin', 'wechat-archiver.js'), 'utf8');
    const fromBin = [...bin.matchAll(/'\.\.\/dist-bundle\/([^']+\.js)'/g)].map((m) => m[1]!);
    expect(fromBin.length).toBe(4);
    expect(fromBin.filter((e) => !BUNDLE_ENTRIES.includes(e))).toEqual([]);
    // and every entry is a module of src/
    for (const e of BUNDLE_ENTRIES)
      await expect(readFile(join(ROOT, 'src', e.replace(/\.js$/, '.ts')))).resolves.toBeTruthy();
  });

  it('SQL is written only under src/store', async () => {
    const offenders: string[] = [];
    for (const { rel, text } of await sourceFiles()) {
      if (rel.startsWith('src/store/')) continue;
      // Kysely's query builders, raw `sql` templates, and better-sqlite3 statements.
      if (
        /\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`|import \{[^}]*\bsql\b[^}]*\} from 'kysely'/.test(
          text,
        )
      )
        offenders.push(rel);
    }
    expect(offenders).toEqual([]);
  });
});
