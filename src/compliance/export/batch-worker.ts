/**
 * A thread that writes an EML export's batches, or an RSMF export's files a chunk at a time (see
 * batch-threads.ts): it opens the same archive as the export's process (its own database
 * connection and blob store), then runs each batch it is given exactly as the process's own
 * thread would (`exportBatch`: the rows, the stored messages checked against their SHA-256, the
 * files; RSMF: `writeRsmfChunk`) and answers with the batch's journal lines and files (RSMF: the
 * files' journal entries). It never journals: the process makes each batch durable and journals
 * the batches in order, whichever thread wrote them. The RSMF writer (with the MIME parser and
 * zip it uses) is loaded only when a chunk of RSMF files comes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type StoreLocation } from '../../store/index.js';
import { batchContext, exportBatch, type BatchContext } from './batch-write.js';
import {
  errorReply,
  type BatchReply,
  type BatchRequest,
  type BatchThreadData,
  type BeginRequest,
  type RsmfRequest,
} from './batch-threads.js';
import { KnownDirs } from './write-util.js';

const data = workerData as BatchThreadData;
const port = parentPort!;
const location: StoreLocation = data.location;
const store = await openStore(location.dataDir, location.opts);
// made once the export's header arrives (BatchThread.begin), before the first batch
let ctx: BatchContext | undefined;
const rsmfDirs = new KnownDirs();

// One batch at a time, in the order given: the process keeps a short queue here so this thread
// never waits for its next batch, and memory holds one batch's messages whatever the queue.
let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: BeginRequest | BatchRequest | RsmfRequest | 'close') => {
  if (msg === 'close') {
    queue = queue.then(async () => {
      await store.close();
      port.close();
    });
    return;
  }
  if ('header' in msg) {
    ctx = batchContext(data.out, store, msg.header);
    return;
  }
  queue = queue.then(async () => {
    let reply: BatchReply;
    try {
      if ('rsmf' in msg) {
        const { writeRsmfChunk } = await import('./rsmf-chunk.js');
        reply = { id: msg.id, done: await writeRsmfChunk(data.out, store, rsmfDirs, msg.rsmf) };
      } else {
        if (!ctx) throw new Error('an export thread was given a batch before its export');
        reply = { id: msg.id, done: await exportBatch(ctx, msg.first, msg.page) };
      }
    } catch (err) {
      reply = { id: msg.id, error: errorReply(err) };
    }
    port.postMessage(reply);
  });
});
port.postMessage({ ready: true });
