/**
 * Writes the EML export's load files (DAT and CSV) from the journal, row by row, hashing them
 * as they are written: both in one pass, since reading the journal back (a JSON line per item)
 * costs more than formatting the rows. An mbox export has no load file: its manifest lists the messages.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalHeader } from './journal.js';
import { readDone } from './journal.js';
import { csvHeader, csvRow, datHeader, datRow, type LoadRow } from './load-file.js';

export interface WrittenFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** A load file being written: its rows gathered into writes of about 500 rows, hashed as they go. */
class LoadFileOut {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private pending: string[] = [];

  constructor(
    readonly path: string,
    readonly fh: FileHandle,
    readonly row: (r: LoadRow) => string,
  ) {}

  async put(s: string): Promise<void> {
    this.pending.push(s);
    if (this.pending.length >= 500) await this.flush();
  }

  async flush(): Promise<void> {
    const buf = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.hash.update(buf);
    this.bytes += buf.length;
    await this.fh.write(buf);
  }

  written(): WrittenFile {
    return { path: this.path, sha256: this.hash.digest('hex'), bytes: this.bytes };
  }
}

/** Both load files (DAT, then CSV) in one pass over the journal. */
export async function writeLoadFiles(out: string, header: JournalHeader): Promise<WrittenFile[]> {
  if (header.format !== 'eml') return [];
  await mkdir(join(out, 'DATA'), { recursive: true });
  const targets: LoadFileOut[] = [];
  try {
    for (const t of [
      { path: 'DATA/loadfile.dat', head: datHeader(), row: datRow },
      { path: 'DATA/loadfile.csv', head: csvHeader(), row: csvRow },
    ]) {
      const target = new LoadFileOut(t.path, await open(join(out, t.path), 'w'), t.row);
      targets.push(target);
      await target.put(t.head);
    }
    for await (const d of readDone(out)) {
      const row: LoadRow = {
        controlNumber: d.controlNumber,
        custodians: d.custodians,
        from: d.from,
        to: d.to,
        dateSent: d.dateSent,
        subject: d.subject,
        conversation: d.conversation,
        msgtype: d.msgtype,
        itemKey: d.itemKey,
        msgid: d.msgid,
        filePath: d.path,
        sha256: d.mimeSha256,
        tags: d.tags,
      };
      for (const t of targets) await t.put(t.row(row));
    }
    for (const t of targets) await t.flush();
  } finally {
    for (const t of targets) await t.fh.close();
  }
  return targets.map((t) => t.written());
}
