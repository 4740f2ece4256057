/**
 * Body of the export's write threads (write-pool.ts): a task is a run of whole files, their bytes
 * in one transferred buffer. Each file's bytes are checked against its message's SHA-256 before
 * the file is created, then written by plain system calls: on its own thread a blocking `open`
 * (which on a busy disk waits for the file system's journal) stalls nothing else, and one task
 * costs the main thread one message instead of three thread-pool round trips per file.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { move } from 'piscina';
import { MessageHash } from '../../store/blobs/read-batch.js';

export interface WriteTask {
  paths: string[];
  shas: string[];
  /** file i is data[ends[i-1] .. ends[i]) */
  ends: number[];
  data: ArrayBuffer;
}

/** Why a task stopped: the file, and the error's code and message (an Error does not cross intact). */
export interface WriteFailure {
  index: number;
  code?: string;
  message: string;
}

/** Folders this thread has made (or found), so a file's folder is made once. */
const made = new Set<string>();

function create(path: string): number {
  const dir = dirname(path);
  if (!made.has(dir)) {
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  }
  return openSync(path, 'w');
}

function writeFile(path: string, bytes: Buffer): void {
  const fd = create(path);
  try {
    let o = 0;
    while (o < bytes.length) o += writeSync(fd, bytes, o, bytes.length - o);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the task's files; answers the failure that stopped it, or else gives the buffer back
 * (moved, not copied) for the next task, so the buffers go round instead of piling up in this
 * thread's heap until its next collection.
 */
export default function writeFiles(task: WriteTask): WriteFailure | ArrayBuffer {
  let start = 0;
  for (let i = 0; i < task.paths.length; i++) {
    const bytes = Buffer.from(task.data, start, task.ends[i]! - start);
    start = task.ends[i]!;
    try {
      const hash = new MessageHash(task.shas[i]!);
      hash.update(bytes);
      hash.check();
      writeFile(task.paths[i]!, bytes);
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      return {
        index: i,
        ...(typeof e.code === 'string' ? { code: e.code } : {}),
        message: typeof e.message === 'string' ? e.message : String(err),
      };
    }
  }
  return move(task.data) as ArrayBuffer;
}
