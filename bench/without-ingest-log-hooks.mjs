// Module resolve hooks for bench/ingest-log.bench.ts, on the main thread: every import of the
// compiled ingest log but the stub's own gets the stub (see bench/ingest-log-stub.ts), and every
// import of the compiled SHA-256 helpers but the stub's own gets bench/model-hash-stub.mjs (no
// model hashes, for a run that prepares on the main thread, `--workers 0`).
const stubs = [
  ['/dist/store/ingest-log.js', './ingest-log-stub.ts'],
  ['/dist/core/sha256.js', './model-hash-stub.mjs'],
];

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  for (const [real, stub] of stubs) {
    const url = new URL(stub, import.meta.url).href;
    if (r.url.endsWith(real) && context.parentURL !== url) return { ...r, url };
  }
  return r;
}
