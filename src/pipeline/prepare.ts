/**
 * The CPU-heavy part of processing one record, written as pure functions so that it runs on
 * the decrypt worker threads: decrypt and parse, map participants to mailboxes, and render the
 * MIME when everything it needs is at hand (messages with media are finished on the main
 * thread after their media is fetched). Same inputs, same output, on any thread.
 */
import type { DirectorySnapshot } from '../core/directory.js';
import { participantsOf, personKindOf, type ChatMessage, type Person } from '../core/model.js';
import { createResolver, type MappingRow, type Resolver } from '../mapping/index.js';
import { renderMime, renderMimeParts, type MimeParts, type RenderContext } from '../render/index.js';
import type { HoldWrite } from '../store/index.js';

/** What mapping needs, in a form that can be sent to a worker thread. */
export interface MappingSetup {
  csvRows: MappingRow[];
  autoFromDirectoryEmail: boolean;
  addressTemplate?: string;
  /** receives items that no participant maps to (instead of holding them) */
  catchAll?: string;
}

export interface MappingOutcome {
  entries: { mailbox: string; displayName: string }[];
  /** one per employee that maps to no mailbox */
  holds: HoldWrite[];
  /** participant id -> mailbox, for the rendered addresses */
  addresses: [string, string][];
  unmapped: string[];
}

/** Lookups built once per run from the directory and the mapping. */
export interface Lookups {
  people: Map<string, Person>;
  rooms: Map<string, string>;
  resolver: Resolver;
  catchAll?: string;
}

export function buildLookups(dir: DirectorySnapshot, mapping: MappingSetup): Lookups {
  return {
    people: new Map(dir.people.map((p) => [p.id, p])),
    rooms: new Map(dir.rooms.map((r) => [r.id, r.name])),
    resolver: createResolver({
      csvRows: mapping.csvRows,
      directory: dir,
      autoFromDirectoryEmail: mapping.autoFromDirectoryEmail,
      ...(mapping.addressTemplate ? { addressTemplate: mapping.addressTemplate } : {}),
    }),
    ...(mapping.catchAll ? { catchAll: mapping.catchAll.toLowerCase() } : {}),
  };
}

/** Fan-out: one entry per mailbox a participant maps to; employees without one are held. */
export function mapParticipants(msg: ChatMessage, lk: Lookups): MappingOutcome {
  const out: MappingOutcome = { entries: [], holds: [], addresses: [], unmapped: [] };
  // A set, not a scan of the entries: a group of 10,000 members would otherwise cost 10^8 steps.
  const mailboxes = new Set<string>();
  for (const id of participantsOf(msg)) {
    const r = lk.resolver.resolve(id);
    if (r.mailbox) {
      out.addresses.push([id, r.mailbox]);
      if (!mailboxes.has(r.mailbox)) {
        mailboxes.add(r.mailbox);
        out.entries.push({ mailbox: r.mailbox, displayName: lk.people.get(id)?.name ?? id });
      }
    } else if (personKindOf(id) === 'internal') {
      // Only employees have mailboxes to miss; external contacts and robots get their copy
      // through the employees in the conversation, unless the CSV maps them explicitly.
      out.unmapped.push(id);
    }
  }
  // One hold per record, whatever the size of the group, listing everyone it concerns.
  if (out.unmapped.length > 0) out.holds.push(unmappedHold(out.unmapped));
  if (out.entries.length === 0 && lk.catchAll) out.entries.push({ mailbox: lk.catchAll, displayName: 'Catch-all' });
  return out;
}

export interface RenderInputs {
  attachmentBytes: (i: number) => Buffer | undefined;
  attachmentSize?: (i: number) => number | undefined;
  attachmentMissingReason?: (i: number) => string | undefined;
  recalledSummary?: (msgid: string) => string | undefined;
}

export function renderItem(msg: ChatMessage, mapping: MappingOutcome, lk: Lookups, inputs: RenderInputs): Buffer {
  return renderMime(msg, renderContext(mapping, lk, inputs));
}

/** The message as literal runs and attachment slots, for single-instance storage. */
export function renderParts(msg: ChatMessage, mapping: MappingOutcome, lk: Lookups, inputs: RenderInputs): MimeParts {
  return renderMimeParts(msg, renderContext(mapping, lk, inputs));
}

function renderContext(mapping: MappingOutcome, lk: Lookups, inputs: RenderInputs): RenderContext {
  const addresses = new Map(mapping.addresses);
  const ctx: RenderContext = {
    people: (id) => lk.people.get(id),
    roomName: (id) => lk.rooms.get(id),
    attachmentBytes: inputs.attachmentBytes,
    ...(inputs.attachmentSize ? { attachmentSize: inputs.attachmentSize } : {}),
    ...(inputs.attachmentMissingReason ? { attachmentMissingReason: inputs.attachmentMissingReason } : {}),
    addressOf: (id) => addresses.get(id),
    ...(inputs.recalledSummary ? { recalledSummary: inputs.recalledSummary } : {}),
  };
  return ctx;
}

/** Whether a message can be rendered without the main thread: no media to fetch, no recall to name. */
export function renderableAnywhere(msg: ChatMessage): boolean {
  return msg.attachments.length === 0 && msg.content.kind !== 'revoke';
}

/** A one-line summary of a message, to name it where it was recalled. */
export function summaryOf(msg: ChatMessage): string {
  if (msg.content.kind === 'text') return msg.content.text.slice(0, 80);
  return `[${msg.msgtype}]`;
}

/** How many unmapped participants a hold's detail names before "and N more" (all are in its list). */
const DETAIL_NAMES = 10;

export function unmappedHold(ids: string[]): HoldWrite {
  const detail =
    ids.length === 1
      ? `participant ${ids[0]} maps to no mailbox`
      : `${ids.length} participants map to no mailbox: ${ids.slice(0, DETAIL_NAMES).join(', ')}` +
        (ids.length > DETAIL_NAMES ? ` and ${ids.length - DETAIL_NAMES} more` : '');
  return { reason: 'unmapped', ...(ids.length === 1 ? { participant: ids[0] } : {}), participants: ids, detail };
}
