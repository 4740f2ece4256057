/**
 * The one pass over the journal at the end of an export: the EML export's load files (DAT and
 * CSV) written row by row and hashed as they are written, and what the manifest needs from the
 * journal (its counts, each mbox's end, its EML file entries and its item entries, the entries
 * written to part files under `.export/`), since reading the journal back (a JSON line per
 * item) costs more than formatting what is made of it. An mbox export has no load file: its
 * manifest lists the messages.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Utf8Chunks } from '../../core/text-chunks.js';
import { loadHeaders, type LoadHeaders } from './headers.js';
import type { JournalHeader, JournalItem, JournalLine, WrittenItem } from './journal.js';
import { journalDir, readDone } from './journal.js';
import { csvHeader, csvRow, datHeader, datRow, type LoadRow } from './load-file.js';
import { writeAllSync } from './write-util.js';

export interface WrittenFile {
  path: string;
  sha256: string;
  bytes: number;
}

/**
 * A file written a line at a time, gathered into writes of up to 64 KB (Utf8Chunks). Plain
 * system calls: a write through the thread pool cost about five times the CPU of the call itself
 * (45 against 8 us for 16 KB here), on the thread that journals every batch.
 */
class ChunkedFile {
  private readonly fd: number;
  private readonly text = new Utf8Chunks((b) => this.write(b));

  constructor(file: string) {
    this.fd = openSync(file, 'w');
  }

  put(s: string): void {
    this.text.put(s);
  }

  flush(): void {
    this.text.flush();
  }

  close(): void {
    closeSync(this.fd);
  }

  protected write(b: Buffer): void {
    writeAllSync(this.fd, b);
  }
}

/** A load file being written, hashed as it goes. */
class LoadFileOut extends ChunkedFile {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  constructor(
    readonly path: string,
    file: string,
    readonly row: (r: LoadRow) => string,
  ) {
    super(file);
  }

  protected override write(b: Buffer): void {
    this.hash.update(b);
    this.bytes += b.length;
    super.write(b);
  }

  written(): WrittenFile {
    return { path: this.path, sha256: this.hash.digest('hex'), bytes: this.bytes };
  }
}

/**
 * A list of manifest entries being written to a part file: entries separated by `,\n`, with no
 * separator after the last (the manifest writer adds what follows).
 */
class EntryList extends ChunkedFile {
  count = 0;

  constructor(readonly path: string) {
    super(path);
  }

  override put(entry: string): void {
    super.put(this.count++ ? `,\n    ${entry}` : `    ${entry}`);
  }

  override close(): void {
    this.flush();
    super.close();
  }
}

/** What the manifest takes from the journal, gathered in the same pass as the load files. */
export interface JournalPass {
  loadFiles: WrittenFile[];
  items: number;
  /** the EML export's files (one per item): how many and their bytes */
  itemFiles: number;
  itemFileBytes: number;
  /** mbox: where each custodian's file ends */
  mboxEnds: Map<string, number>;
  /** part files of the manifest's entries (see EntryList): the EML files, then the items */
  itemFileEntries: { path: string; count: number };
  itemEntries: { path: string; count: number };
}

export const MANIFEST_PARTS = ['manifest-files.part', 'manifest-items.part'] as const;

const carriesHeaders = (d: JournalLine): d is WrittenItem =>
  d.from !== undefined && d.to !== undefined && d.subject !== undefined;

/** Bytes of a file read at a time while looking for the end of its header block. */
export const HEAD_READ = 16 * 1024;
let headBuffer: Buffer | undefined;

/**
 * The load file's headers of an exported message, read from its file (`file`, exactly the
 * archived bytes): its start up to the blank line that ends the header block (or all of it), so
 * the same bytes as the stored message's first piece give the same fields. For a journal line
 * that does not carry them (version 2).
 */
export function fileHeaders(file: string): LoadHeaders {
  const fd = openSync(file, 'r');
  try {
    // most header blocks end within the first read: that read goes into one buffer kept for it
    headBuffer ??= Buffer.allocUnsafe(HEAD_READ);
    let head = headBuffer.subarray(0, readSync(fd, headBuffer, 0, HEAD_READ, 0));
    let from = 0;
    while (head.length > 0 && head.indexOf('\r\n\r\n', from) < 0) {
      // not yet: read on, searching again from 3 bytes back (the blank line may straddle two reads)
      from = Math.max(0, head.length - 3);
      const more = Buffer.allocUnsafe(HEAD_READ);
      const n = readSync(fd, more, 0, HEAD_READ, head.length);
      if (n === 0) break;
      head = Buffer.concat([head, more.subarray(0, n)]);
    }
    return loadHeaders(head);
  } finally {
    closeSync(fd);
  }
}

/**
 * Both load files (DAT, then CSV) and the manifest's part files, written item by item in journal
 * order: as each batch is journaled (an export that did not resume), or in one pass over the
 * journal at the end (`journalPass`). Either way the same items in the same order give the same
 * bytes. `pathOf`: where an item's file is, when it is not the journaled path (PDF).
 */
export class PassWriter {
  private readonly pass: JournalPass;
  private closed = false;

  private constructor(
    private readonly out: string,
    private readonly eml: boolean,
    private readonly targets: LoadFileOut[],
    private readonly fileList: EntryList,
    private readonly itemList: EntryList,
    private readonly pathOf: (d: JournalItem) => string,
  ) {
    this.pass = {
      loadFiles: [],
      items: 0,
      itemFiles: 0,
      itemFileBytes: 0,
      mboxEnds: new Map(),
      itemFileEntries: { path: fileList.path, count: 0 },
      itemEntries: { path: itemList.path, count: 0 },
    };
  }

  static async open(
    out: string,
    header: JournalHeader,
    pathOf: (d: JournalItem) => string = (d) => d.path,
  ): Promise<PassWriter> {
    const eml = header.format === 'eml';
    const targets: LoadFileOut[] = [];
    const fileList = new EntryList(join(journalDir(out), MANIFEST_PARTS[0]));
    const itemList = new EntryList(join(journalDir(out), MANIFEST_PARTS[1]));
    const w = new PassWriter(out, eml, targets, fileList, itemList, pathOf);
    try {
      if (eml) {
        await mkdir(join(out, 'DATA'), { recursive: true });
        for (const t of [
          { path: 'DATA/loadfile.dat', head: datHeader(), row: datRow },
          { path: 'DATA/loadfile.csv', head: csvHeader(), row: csvRow },
        ]) {
          const target = new LoadFileOut(t.path, join(out, t.path), t.row);
          targets.push(target);
          target.put(t.head);
        }
      }
    } catch (err) {
      w.close();
      throw err;
    }
    return w;
  }

  /**
   * The next items of the journal, in its order: as their batch wrote them, or as lines read
   * back; an EML item's headers are read from its file when its line does not carry them.
   */
  add(items: Iterable<JournalLine>): void {
    const pass = this.pass;
    for (const d of items) {
      pass.items++;
      if (d.end !== undefined) pass.mboxEnds.set(d.path, d.end);
      if (this.eml) {
        // an EML file's bytes are the archived MIME, so its hash is the MIME's
        pass.itemFiles++;
        pass.itemFileBytes += d.bytes;
        this.fileList.put(JSON.stringify({ path: d.path, sha256: d.mimeSha256, bytes: d.bytes }));
        const h: LoadHeaders = carriesHeaders(d) ? d : fileHeaders(join(this.out, d.path));
        const row: LoadRow = {
          controlNumber: d.controlNumber,
          custodians: d.custodians,
          from: h.from,
          to: h.to,
          dateSent: d.dateSent,
          subject: h.subject,
          conversation: d.conversation,
          msgtype: d.msgtype,
          itemKey: d.itemKey,
          msgid: d.msgid,
          filePath: d.path,
          sha256: d.mimeSha256,
          tags: d.tags,
        };
        for (const t of this.targets) t.put(t.row(row));
      }
      this.itemList.put(
        JSON.stringify({
          controlNumber: d.controlNumber,
          itemKey: d.itemKey,
          msgid: d.msgid,
          mimeSha256: d.mimeSha256,
          path: this.pathOf(d),
        }),
      );
    }
  }

  /** Every row written and the files closed: what the manifest takes. */
  finish(): JournalPass {
    try {
      for (const t of this.targets) t.flush();
    } finally {
      this.close();
    }
    const pass = this.pass;
    pass.itemFileEntries.count = this.fileList.count;
    pass.itemEntries.count = this.itemList.count;
    pass.loadFiles = this.targets.map((t) => t.written());
    return pass;
  }

  /** The files closed as they are (an export that stops midway writes them again when resumed). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      for (const t of this.targets) t.close();
    } finally {
      this.fileList.close();
      this.itemList.close();
    }
  }
}

/** Both load files and the manifest's part files, in one pass over the journal. */
export async function journalPass(
  out: string,
  header: JournalHeader,
  pathOf?: (d: JournalItem) => string,
): Promise<JournalPass> {
  const w = await PassWriter.open(out, header, pathOf);
  try {
    for await (const d of readDone(out)) w.add([d]);
  } catch (err) {
    w.close();
    throw err;
  }
  return w.finish();
}
