/**
 * What `verify` found wrong, in the order it found it. The first problem is the one named on
 * exit; each carries what an operator needs to find the thing: the item key and msgid, the
 * blob's SHA-256, the event id, the checkpoint number, or the connector and seq range.
 */

/** Each kind of thing that can be broken. */
export type ProblemKind =
  /** an ingest log event altered, removed, inserted or reordered */
  | 'ingest-event'
  /** an audit log event altered, removed or inserted */
  | 'audit-event'
  /** a raw record changed, removed without a tombstone, or stored around the log */
  | 'raw'
  /** an item changed, removed without a tombstone, stored around the log, or not matching its raw record */
  | 'item'
  /** a mailbox entry changed, removed without a tombstone, or stored around the log */
  | 'entry'
  /** a blob whose bytes no longer hash to its name, or that is missing */
  | 'blob'
  /** a checkpoint whose signature, sequence, time-stamp or stated heads do not hold */
  | 'checkpoint'
  /** seq values missing between stored records of one connector */
  | 'seq-gap';

export interface Problem {
  kind: ProblemKind;
  reason: string;
  eventId?: number;
  itemKey?: string;
  msgid?: string;
  sha256?: string;
  mailbox?: string;
  connectorId?: string;
  seqKey?: string;
  checkpoint?: number;
  /** a seq gap: first and last missing seq */
  from?: string;
  to?: string;
}

/** Keeps every problem's count but only the first ones in full, so a wrecked archive still reports quickly. */
export class Problems {
  readonly list: Problem[] = [];
  total = 0;
  constructor(private readonly keep = 100) {}

  add(p: Problem): void {
    this.total++;
    if (this.list.length < this.keep) this.list.push(p);
  }

  get first(): Problem | null {
    return this.list[0] ?? null;
  }
}

/** One line naming a problem, for the terminal. */
export function describeProblem(p: Problem): string {
  const what: string[] = [];
  if (p.itemKey) what.push(`item ${p.itemKey}`);
  if (p.msgid) what.push(`msgid ${p.msgid}`);
  if (p.mailbox) what.push(`mailbox ${p.mailbox}`);
  if (p.sha256) what.push(`blob ${p.sha256}`);
  if (p.connectorId && p.kind !== 'item') what.push(`connector ${p.connectorId}`);
  if (p.seqKey) what.push(`seq ${p.seqKey.replace(/^0+(?=\d)/, '')}`);
  if (p.from) what.push(`seq ${p.from}..${p.to}`);
  if (p.eventId !== undefined) what.push(`${p.kind === 'audit-event' ? 'audit' : 'ingest'} event ${p.eventId}`);
  if (p.checkpoint !== undefined) what.push(`checkpoint ${p.checkpoint}`);
  return `${p.kind}: ${what.join(', ')}: ${p.reason}`;
}
