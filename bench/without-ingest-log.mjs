// The pipeline without its ingest log: `NODE_OPTIONS="--import <this file>" node --import tsx ...`.
// Through NODE_OPTIONS it is loaded in every thread, the prepare threads included (they are
// started with no execArgv of their own), so their model hashes are stubbed out as well.
import { Module, register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

register('./without-ingest-log-hooks.mjs', import.meta.url);

if (!isMainThread) {
  // Piscina loads a thread's task module with require() first, and with import() when that
  // fails; Node 20 then loads the ES module past the resolve hooks. Failing the require makes
  // it import the module, through the hooks. (bench/ingest-log-stub.ts checks that it worked.)
  const load = Module._load;
  Module._load = function (request, ...rest) {
    if (String(request).endsWith('/dist/pipeline/decrypt-worker.js'))
      throw new Error('imported instead, so that the resolve hooks apply');
    return load.call(this, request, ...rest);
  };
}
