/**
 * Writes the EML export's load files (DAT and CSV) from the journal, row by row, hashing them
 * as they are written. An mbox export has no load file: its manifest lists the messages.
 */
import { createHash } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalHeader } from './journal.js';
import { readDone } from './journal.js';
import { csvHeader, csvRow, datHeader, datRow } from './load-file.js';

export interface WrittenFile {
  path: string;
  sha256: string;
  bytes: number;
}

export async function writeLoadFiles(out: string, header: JournalHeader): Promise<WrittenFile[]> {
  if (header.format !== 'eml') return [];
  const targets = [
    { path: 'DATA/loadfile.dat', head: datHeader(), row: datRow },
    { path: 'DATA/loadfile.csv', head: csvHeader(), row: csvRow },
  ];
  const written: WrittenFile[] = [];
  await mkdir(join(out, 'DATA'), { recursive: true });
  for (const t of targets) {
    const fh = await open(join(out, t.path), 'w');
    const hash = createHash('sha256');
    let bytes = 0;
    let pending: string[] = [];
    const flush = async () => {
      const buf = Buffer.from(pending.join(''), 'utf8');
      pending = [];
      hash.update(buf);
      bytes += buf.length;
      await fh.write(buf);
    };
    try {
      pending.push(t.head);
      for await (const d of readDone(out)) {
        pending.push(
          t.row({
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
          }),
        );
        if (pending.length >= 500) await flush();
      }
      await flush();
    } finally {
      await fh.close();
    }
    written.push({ path: t.path, sha256: hash.digest('hex'), bytes });
  }
  return written;
}
