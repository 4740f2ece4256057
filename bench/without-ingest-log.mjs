// The pipeline without its ingest log, for bench/ingest-log.bench.ts:
// `NODE_OPTIONS="--import <this file>" node --import tsx ...`. Through NODE_OPTIONS it is loaded
// in every thread, the prepare threads included (they are started with no execArgv of their own).
// - On the main thread it registers the resolve hooks that load the stubs (no appends, no digests,
//   no model hashes: bench/without-ingest-log-hooks.mjs).
// - On the other threads it registers no hooks (Node 20 runs them on a thread of their own per
//   thread that registers them, and a prepare thread loads its task module past them anyway);
//   instead `crypto.hash`, whose one user there is the model hash for the items' digests
//   (core/sha256.ts `modelSha256`), returns an empty string. bench/ingest-log-stub.ts refuses an
//   item whose model hash is not empty, so a run where this did not take effect fails.
// The runs with the log load bench/with-ingest-log.mjs the same way, which does nothing.
import { createRequire, register, syncBuiltinESMExports } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register('./without-ingest-log-hooks.mjs', import.meta.url);
else {
  const crypto = createRequire(import.meta.url)('node:crypto');
  crypto.hash = () => '';
  syncBuiltinESMExports();
}
