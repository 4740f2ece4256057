/**
 * What verify-export checks inside an RSMF export's files, beyond their hashes: each `.rsmf` file
 * is an RSMF 2.0.0 message with one `rsmf.zip`, whose `rsmf_manifest.json` parses and names only
 * attachments the zip holds, and whose events are the export manifest's items in that file, one
 * event an item (messages, consent notices and recalls alike), in the manifest's order.
 *
 * Memory stays that of one file: a file is read whole (its zip needs its central directory), its
 * attachments are listed but not inflated, and what is kept of it is its event count and a hash
 * chained over its events' item keys, some 200 bytes a file. The manifest's items are chained
 * the same way as they stream by; only the files whose chains differ have their items gathered
 * (a bounded batch at a time, by reading the manifest again) to name each item or event at fault.
 */
import { createHash } from 'node:crypto';
import { unzipSync, type Unzipped } from 'fflate';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { ExportProblem } from './job-types.js';
import { ITEM_KEY_FIELD, RSMF_MANIFEST_NAME, RSMF_VERSION, RSMF_ZIP_NAME } from './rsmf-manifest.js';

type Problem = (p: ExportProblem) => void;

/** One event of a file: the item key it carries (undefined when it carries none) and its id. */
export interface RsmfEventRef {
  key: string | undefined;
  id: string;
}

/** The fields of an item entry this check reads. */
export interface RsmfItemEntry {
  itemKey: string;
  path: string;
}

/** Items gathered at most per pass over the manifest to name the items of mismatched files. */
const DETAIL_ITEMS = 100_000;

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
const describeEvent = (n: number, e: RsmfEventRef): string =>
  `event ${n + 1} (id ${e.id}${e.key !== undefined ? `, item ${e.key}` : ''})`;

/** The next link of a file's chain: its events' item keys (or its items' keys) in order. */
function link(chain: string, key: string | undefined): string {
  // a keyless event hashes apart from any key (keys are checked to be strings)
  return createHash('sha256')
    .update(chain)
    .update(key === undefined ? '\u0002' : `\u0001${key}`)
    .digest('base64');
}

function eventRef(e: unknown, n: number): RsmfEventRef {
  const ev = (typeof e === 'object' && e !== null ? e : {}) as { id?: unknown; custom?: unknown };
  const field = Array.isArray(ev.custom)
    ? (ev.custom as { name?: unknown; value?: unknown }[]).find((c) => c?.name === ITEM_KEY_FIELD)
    : undefined;
  return {
    key: typeof field?.value === 'string' ? field.value : undefined,
    id: typeof ev.id === 'string' ? ev.id : `#${n + 1}`,
  };
}

/**
 * The events of the `.rsmf` file `rel` (its bytes), each problem of its form named: not RSMF
 * 2.0.0, not one `rsmf.zip`, an unreadable zip or manifest, an event count its header does not
 * give, an attachment an event names that the zip does not hold (or holds at another size).
 * Undefined when its events cannot be read at all.
 */
export async function rsmfEvents(rel: string, bytes: Buffer, problem: Problem): Promise<RsmfEventRef[] | undefined> {
  const bad = (detail: string) => problem({ path: rel, problem: 'item-file', detail: `${rel}: ${detail}` });
  let mail: ParsedMail;
  try {
    mail = await simpleParser(bytes, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
  } catch (err) {
    bad(`not a MIME message (${(err as Error).message})`);
    return undefined;
  }
  const header = (name: string): string => {
    const v = mail.headers.get(name);
    return v === undefined ? '' : String(v).trim();
  };
  const version = header('x-rsmf-version');
  if (version !== RSMF_VERSION)
    bad(`its X-RSMF-Version is ${version ? `"${version}"` : 'missing'}, not ${RSMF_VERSION}`);
  const atts = mail.attachments;
  if (atts.length !== 1 || atts[0]!.filename !== RSMF_ZIP_NAME)
    bad(
      `it holds ${plural(atts.length, 'attachment')} (${atts.map((a) => a.filename ?? 'unnamed').join(', ') || 'none'}), not the one ${RSMF_ZIP_NAME}`,
    );
  const zipPart = atts.find((a) => a.filename === RSMF_ZIP_NAME);
  if (!zipPart) return undefined;

  /** entry name -> its size, the attachments listed but not inflated */
  const sizes = new Map<string, number>();
  let entries: Unzipped;
  try {
    entries = unzipSync(new Uint8Array(zipPart.content.buffer, zipPart.content.byteOffset, zipPart.content.length), {
      filter: (f) => {
        sizes.set(f.name, f.originalSize);
        return f.name === RSMF_MANIFEST_NAME;
      },
    });
  } catch (err) {
    bad(`its ${RSMF_ZIP_NAME} is not a readable zip (${(err as Error).message})`);
    return undefined;
  }
  const json = entries[RSMF_MANIFEST_NAME];
  if (!json) {
    bad(`its ${RSMF_ZIP_NAME} holds no ${RSMF_MANIFEST_NAME}`);
    return undefined;
  }
  let events: unknown;
  try {
    events = (
      JSON.parse(Buffer.from(json.buffer, json.byteOffset, json.length).toString('utf8')) as { events?: unknown }
    )?.events;
  } catch (err) {
    bad(`its ${RSMF_MANIFEST_NAME} is not JSON (${(err as Error).message})`);
    return undefined;
  }
  if (!Array.isArray(events)) {
    bad(`its ${RSMF_MANIFEST_NAME} has no events list`);
    return undefined;
  }
  const count = header('x-rsmf-eventcount');
  if (count !== String(events.length))
    bad(
      `its X-RSMF-EventCount is ${count || 'missing'}, its ${RSMF_MANIFEST_NAME} holds ${plural(events.length, 'event')}`,
    );

  const refs = events.map(eventRef);
  refs.forEach((ref, n) => {
    const list = (events as { attachments?: unknown }[])[n]?.attachments;
    if (list === undefined) return;
    if (!Array.isArray(list)) return bad(`${describeEvent(n, ref)}: its attachments are not a list`);
    for (const a of list as { id?: unknown; size?: unknown }[]) {
      // the writer names each attachment's file in the zip by the attachment's id
      const name = a?.id;
      if (typeof name !== 'string') bad(`${describeEvent(n, ref)} names an attachment without a file name (id)`);
      else if (!sizes.has(name))
        bad(`${describeEvent(n, ref)} names attachment ${name}, which its ${RSMF_ZIP_NAME} does not hold`);
      else if (typeof a.size === 'number' && a.size !== sizes.get(name))
        bad(
          `${describeEvent(n, ref)} gives attachment ${name} as ${plural(a.size, 'byte')}, its ${RSMF_ZIP_NAME} holds ${plural(sizes.get(name)!, 'byte')}`,
        );
    }
  });
  return refs;
}

/**
 * Names each item of `rel` that has no event there or whose event is out of the manifest's
 * order, each event that is none of its items, and a count that differs. The number of
 * problems named.
 */
function compareEvents(
  rel: string,
  items: readonly string[],
  events: readonly RsmfEventRef[],
  problem: Problem,
): number {
  let named = 0;
  const name = (p: ExportProblem) => {
    named++;
    problem(p);
  };
  const eventKeys = new Set(events.flatMap((e) => (e.key === undefined ? [] : [e.key])));
  const itemKeys = new Set(items);
  for (const k of items)
    if (!eventKeys.has(k)) name({ path: k, problem: 'item-file', detail: `item ${k}: ${rel} holds no event of it` });
  events.forEach((e, n) => {
    if (e.key === undefined || !itemKeys.has(e.key))
      name({
        path: rel,
        problem: 'item-file',
        detail:
          e.key === undefined
            ? `${rel}: ${describeEvent(n, e)} names no item (it has no "${ITEM_KEY_FIELD}")`
            : `${rel}: ${describeEvent(n, e)} is not an item the manifest lists in it`,
      });
  });
  // the items both name, each in its own order: a mismatch is an event out of the manifest's order
  const inFile = events.flatMap((e, n) => (e.key !== undefined && itemKeys.has(e.key) ? [{ key: e.key, n }] : []));
  items
    .filter((k) => eventKeys.has(k))
    .forEach((k, j) => {
      const e = inFile[j];
      if (e && e.key !== k)
        name({
          path: k,
          problem: 'item-file',
          detail: `item ${k}: event ${e.n + 1} of ${rel} is item ${e.key}'s, where the manifest lists this item (its events are not in the manifest's order)`,
        });
    });
  if (events.length !== items.length)
    name({
      path: rel,
      problem: 'item-file',
      detail: `${rel} holds ${plural(events.length, 'event')}, the manifest lists ${plural(items.length, 'item')} in it`,
    });
  return named;
}

/** One file's event chain, and its items' chain as the manifest lists them. */
interface FileChains {
  events: number;
  eventChain: string;
  items: number;
  itemChain: string;
}

/**
 * The RSMF checks of one verification: `file` for each `.rsmf` file as its bytes are hashed,
 * `item` for each item entry, then `finish` once the manifest has been read.
 */
export class RsmfCheck {
  /** path -> chains, for the files whose events could be read */
  private readonly files = new Map<string, FileChains>();

  /** `detailItems`: items gathered at most per pass to name those of files that differ */
  constructor(
    private readonly problem: Problem,
    private readonly detailItems = DETAIL_ITEMS,
  ) {}

  async file(rel: string, bytes: Buffer): Promise<void> {
    const events = await rsmfEvents(rel, bytes, this.problem);
    if (!events) return;
    let eventChain = '';
    for (const e of events) eventChain = link(eventChain, e.key);
    this.files.set(rel, { events: events.length, eventChain, items: 0, itemChain: '' });
  }

  item(i: RsmfItemEntry): void {
    const f = this.files.get(i.path);
    if (!f) return;
    f.items++;
    f.itemChain = link(f.itemChain, i.itemKey);
  }

  /**
   * Names the items and events of each file whose events are not its items: `items` reads the
   * manifest's item entries again, `read` a file's bytes again.
   */
  async finish(items: () => AsyncIterable<RsmfItemEntry>, read: (rel: string) => Buffer | undefined): Promise<void> {
    const differ = [...this.files].filter(([, f]) => f.events !== f.items || f.eventChain !== f.itemChain);
    for (let next = 0; next < differ.length;) {
      // a batch of files whose items are gathered in one pass (at least one file, however many items)
      const batch = new Map<string, string[]>();
      for (
        let n = 0;
        next < differ.length && (batch.size === 0 || n + differ[next]![1].items <= this.detailItems);
        next++
      ) {
        batch.set(differ[next]![0], []);
        n += differ[next]![1].items;
      }
      for await (const i of items())
        if (typeof i.itemKey === 'string' && typeof i.path === 'string') batch.get(i.path)?.push(i.itemKey);
      for (const [rel, keys] of batch) {
        const bytes = read(rel);
        const events = bytes ? await rsmfEvents(rel, bytes, () => {}) : undefined;
        const named = events ? compareEvents(rel, keys, events, this.problem) : 0;
        // a file read the same both times is named above: this one (or the manifest) changed meanwhile
        if (!named)
          this.problem({
            path: rel,
            problem: 'item-file',
            detail: `${rel}: its events are not the items the manifest lists in it (it or the manifest changed while it was verified)`,
          });
      }
    }
  }
}
