/**
 * For the ingest-log benchmarks that append a run's events again: the run's stored events
 * grouped by transaction (each appended its events with one `at`), as append inputs in two
 * forms: as the builders give them now (the detail also as canonical text), and bare, with the
 * detail as an object alone, which the append then encodes itself (what the builders gave before).
 */
import { hexOf, type IngestEventInput } from '../dist/store/index.js';

export interface StoredEvent {
  at: number | string;
  kind: string;
  connector_id: string;
  ref: string;
  digest: Uint8Array;
  detail_json: string;
}

export interface EventGroup {
  at: number;
  built: IngestEventInput[];
  bare: IngestEventInput[];
}

export function groupByTransaction(events: StoredEvent[]): EventGroup[] {
  const groups: EventGroup[] = [];
  for (const e of events) {
    const bare: IngestEventInput = {
      kind: e.kind as IngestEventInput['kind'],
      connectorId: e.connector_id,
      ref: e.ref,
      digest: hexOf(e.digest),
    };
    if (e.detail_json !== '{}') bare.detail = JSON.parse(e.detail_json) as Record<string, unknown>;
    const built = e.detail_json === '{}' ? bare : { ...bare, detailJson: e.detail_json };
    const last = groups[groups.length - 1];
    if (last && last.at === Number(e.at)) {
      last.built.push(built);
      last.bare.push(bare);
    } else groups.push({ at: Number(e.at), built: [built], bare: [bare] });
  }
  return groups;
}
