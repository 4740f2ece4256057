/**
 * A seq -> byte-offset index over chatdata.jsonl, so the sandbox client answers GetChatData for
 * 100k+ records with one binary search and one read, holding 16 bytes per record rather than
 * the records. The file may grow (appendMessages); refresh() indexes only the new tail.
 */
import { open, stat } from 'node:fs/promises';
import { ArchiverError } from '../../core/errors.js';
import type { EncryptedRecord } from '../wecom/client.js';

const READ_CHUNK = 4 * 1024 * 1024;
const SEQ_PREFIX = /^\{"seq":"(\d+)"/;

export class ChatdataIndex {
  private seqs = new BigUint64Array(1024);
  private starts = new Float64Array(1024);
  private n = 0;
  /** bytes covered by complete lines (a line still being appended is left for later) */
  private indexed = 0;

  constructor(private readonly path: string) {}

  get size(): number {
    return this.n;
  }

  /** the newest seq indexed, or undefined when the file is empty */
  get lastSeq(): bigint | undefined {
    return this.n > 0 ? this.seqs[this.n - 1] : undefined;
  }

  private pending: Promise<void> | undefined;

  /** Index lines added since the last call; start over if the file was replaced by a shorter one. */
  refresh(): Promise<void> {
    // concurrent callers share one scan: two scans of the same tail would index it twice
    this.pending ??= this.scan().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async scan(): Promise<void> {
    const { size } = await stat(this.path);
    if (size < this.indexed) {
      this.n = 0;
      this.indexed = 0;
    }
    if (size === this.indexed) return;
    const fh = await open(this.path, 'r');
    try {
      let pos = this.indexed;
      let carry = Buffer.alloc(0);
      while (pos < size) {
        const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - pos));
        const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
        const buf =
          carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
        let lineStart = 0;
        for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, lineStart)) {
          if (nl > lineStart) this.push(this.indexed, buf.subarray(lineStart, nl));
          this.indexed += nl + 1 - lineStart;
          lineStart = nl + 1;
        }
        carry = Buffer.from(buf.subarray(lineStart));
      }
    } finally {
      await fh.close();
    }
  }

  private push(offset: number, line: Buffer): void {
    const head = SEQ_PREFIX.exec(line.subarray(0, 48).toString('latin1'));
    let seqText = head?.[1];
    if (seqText === undefined) {
      try {
        const seq: unknown = (JSON.parse(line.toString('utf8')) as { seq?: unknown }).seq;
        if (typeof seq === 'string' && /^\d+$/.test(seq)) seqText = seq;
      } catch {
        // reported below with the line number
      }
    }
    if (seqText === undefined) {
      throw new ArchiverError(
        'WXA_RECORD_MALFORMED',
        `${this.path} line ${this.n + 1}: no decimal "seq"; the dataset is damaged`,
      );
    }
    const seq = BigInt(seqText);
    const prev = this.n > 0 ? this.seqs[this.n - 1] : undefined;
    if (prev !== undefined && seq <= prev) {
      throw new ArchiverError(
        'WXA_RECORD_MALFORMED',
        `${this.path} line ${this.n + 1}: seq ${seq} is not greater than the previous ${prev}; the dataset is damaged`,
      );
    }
    if (this.n === this.seqs.length) {
      const seqs = new BigUint64Array(this.n * 2);
      seqs.set(this.seqs);
      this.seqs = seqs;
      const starts = new Float64Array(this.n * 2);
      starts.set(this.starts);
      this.starts = starts;
    }
    this.seqs[this.n] = seq;
    this.starts[this.n] = offset;
    this.n++;
  }

  /** position of the first record whose seq is greater than `seq` (binary search) */
  firstAfter(seq: bigint): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.seqs[mid] as bigint) <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** records at positions [from, to) */
  async read(from: number, to: number): Promise<EncryptedRecord[]> {
    if (from >= to) return [];
    const start = this.starts[from] as number;
    const end = to < this.n ? (this.starts[to] as number) : this.indexed;
    const buf = Buffer.allocUnsafe(end - start);
    const fh = await open(this.path, 'r');
    try {
      await fh.read(buf, 0, buf.length, start);
    } finally {
      await fh.close();
    }
    return buf
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as EncryptedRecord);
  }
}
