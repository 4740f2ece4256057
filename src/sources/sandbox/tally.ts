/**
 * Counting what a generation or an append wrote (records per msgtype and key version, first and
 * last seq and time, faults), so tenant.json states exactly what the dataset holds.
 */
import type { EncryptedRecord } from '../wecom/client.js';
import type { FaultEntry, FaultKind } from './faults.js';
import { RECOVERABLE } from './faults.js';
import type { WecomMessage } from './payloads.js';
import type { TenantSummary } from './tenant.js';

export class Tally {
  records = 0;
  generated = 0;
  included = 0;
  readonly byType: Record<string, number> = {};
  readonly perVersion = new Map<number, number>();
  first: TenantSummary['first'] = null;
  last: TenantSummary['last'] = null;
  readonly faults: FaultEntry[] = [];

  /** continue the counts of an existing dataset */
  static from(summary: TenantSummary): Tally {
    const t = new Tally();
    t.records = summary.counts.records;
    t.generated = summary.counts.generated;
    t.included = summary.counts.included;
    Object.assign(t.byType, summary.counts.byType);
    for (const k of summary.keyVersions) t.perVersion.set(k.version, k.records);
    t.first = summary.first;
    t.last = summary.last;
    t.faults.push(...summary.faults);
    return t;
  }

  add(
    record: EncryptedRecord,
    msg: WecomMessage,
    type: string,
    origin: 'generated' | 'included',
    fault?: FaultKind,
  ): void {
    this.records++;
    this[origin]++;
    this.byType[type] = (this.byType[type] ?? 0) + 1;
    this.perVersion.set(record.publickey_ver, (this.perVersion.get(record.publickey_ver) ?? 0) + 1);
    const time = (typeof msg.msgtime === 'number' ? msg.msgtime : msg.time) as number;
    const point = { seq: record.seq, time };
    if (!this.first) this.first = point;
    this.last = point;
    if (fault) this.faults.push({ seq: record.seq, msgid: record.msgid, kind: fault, recoverable: RECOVERABLE[fault] });
  }
}
