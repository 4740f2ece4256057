// Module resolve hook for bench/ingest-log.bench.ts: every import of the compiled ingest log
// but the stub's own gets the stub (see bench/ingest-log-stub.ts).
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.endsWith('/dist/store/ingest-log.js') && !context.parentURL?.endsWith('/bench/ingest-log-stub.ts')) {
    return { ...r, url: new URL('./ingest-log-stub.ts', import.meta.url).href };
  }
  return r;
}
