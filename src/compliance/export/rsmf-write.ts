/**
 * The RSMF side of an export. While items are journaled each gets the path of its file (one
 * per custodian, conversation and UTC day, split so no file reaches 10,000 events); once all
 * are journaled the files are written from the journal, one file's items in memory at a time.
 * Writing is idempotent (same items, same bytes), so a resumed export simply writes them again.
 */
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Store } from '../../store/index.js';
import { readDone, type JournalItem } from './journal.js';
import { groupByPath, parsedItems } from './parsed-items.js';
import { KnownDirs } from './write-util.js';
import { rsmfFile } from './rsmf.js';
import { RSMF_MAX_EVENTS } from './rsmf-manifest.js';

export const safeName = (s: string): string => s.replace(/[^A-Za-z0-9@._+-]/g, '_').slice(0, 120) || '_';

function basePath(custodianDir: string, d: Pick<JournalItem, 'conversation' | 'dateSent'>): string {
  return `RSMF/${custodianDir}/${safeName(d.conversation)}_${d.dateSent.slice(0, 10)}`;
}

/** Assigns RSMF file paths in journal (sent-time) order; `counts` carries over a resume. */
export class RsmfPaths {
  private readonly counts = new Map<string, number>();
  constructor(private readonly folder: (mailbox: string | undefined) => string) {}

  next(d: Pick<JournalItem, 'conversation' | 'dateSent' | 'custodians'>): string {
    const base = basePath(this.folder(d.custodians[0]), d);
    const n = this.counts.get(base) ?? 0;
    this.counts.set(base, n + 1);
    const part = Math.floor(n / RSMF_MAX_EVENTS);
    return `${base}${part > 0 ? `_part${part + 1}` : ''}.rsmf`;
  }
}

/** Writes every RSMF file named in the journal. */
export async function writeRsmfFiles(out: string, store: Store): Promise<void> {
  const dirs = new KnownDirs();
  for (const [path, items] of await groupByPath(readDone(out))) {
    const { bytes } = rsmfFile(await parsedItems(store, items), path.slice('RSMF/'.length, -'.rsmf'.length));
    const file = join(out, path);
    await dirs.ensure(dirname(file));
    await writeFile(`${file}.part`, bytes);
    await rename(`${file}.part`, file);
  }
}
