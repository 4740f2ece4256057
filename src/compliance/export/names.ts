/**
 * Names an export gives what it writes, the same on every thread that writes its files. Kept
 * apart from the writers of each format: a batch assigns RSMF and PDF paths as it journals, and
 * the EML writers load this module without the parsers, zip and PDF libraries those formats need
 * only once every item is journaled.
 */
import type { JournalItem } from './journal.js';
import { RSMF_MAX_EVENTS } from './rsmf-manifest.js';

/** A file-system-safe folder name for a custodian address. */
export function custodianFolder(mailbox: string | undefined): string {
  return mailbox ? mailbox.replace(/[^A-Za-z0-9@._+-]/g, '_') : '_no-custodian';
}

export const controlNumber = (n: number): string => `WXA${String(n + 1).padStart(8, '0')}`;

/** A file-system-safe name for a conversation id, at most 120 characters. */
export const safeName = (s: string): string => s.replace(/[^A-Za-z0-9@._+-]/g, '_').slice(0, 120) || '_';

/** The journal path of an item in a PDF export: its custodian's and conversation's transcript. */
export function pdfBasePath(custodianDir: string, d: Pick<JournalItem, 'conversation'>): string {
  return `PDF/${custodianDir}/${safeName(d.conversation)}.pdf`;
}

function rsmfBasePath(custodianDir: string, d: Pick<JournalItem, 'conversation' | 'dateSent'>): string {
  return `RSMF/${custodianDir}/${safeName(d.conversation)}_${d.dateSent.slice(0, 10)}`;
}

/**
 * Assigns RSMF file paths in journal (sent-time) order; `counts` carries over a resume. A file
 * holds one UTC day, so only the current day's counts are kept.
 */
export class RsmfPaths {
  private readonly counts = new Map<string, number>();
  private day = '';
  constructor(private readonly folder: (mailbox: string | undefined) => string) {}

  next(d: Pick<JournalItem, 'conversation' | 'dateSent' | 'custodians'>): string {
    const day = d.dateSent.slice(0, 10);
    if (day !== this.day) {
      this.counts.clear();
      this.day = day;
    }
    const base = rsmfBasePath(this.folder(d.custodians[0]), d);
    const n = this.counts.get(base) ?? 0;
    this.counts.set(base, n + 1);
    const part = Math.floor(n / RSMF_MAX_EVENTS);
    return `${base}${part > 0 ? `_part${part + 1}` : ''}.rsmf`;
  }
}
