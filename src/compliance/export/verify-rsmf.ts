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
 * (a bounded batch at a time, by reading the manifest again) to name each item or event at fault
 * (verify-chain.ts).
 */
import { unzipSync, type Unzipped } from 'fflate';
import type { ExportProblem } from './job-types.js';
import { mimeParts, type MimeParts } from './mime-parts.js';
import { ITEM_KEY_FIELD, RSMF_MANIFEST_NAME, RSMF_VERSION, RSMF_ZIP_NAME } from './rsmf-manifest.js';
import { DETAIL_ITEMS, emptyChain, extend, gatherItems, sameChain, type Chain } from './verify-chain.js';

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

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
const describeEvent = (n: number, e: RsmfEventRef): string =>
  `event ${n + 1} (id ${e.id}${e.key !== undefined ? `, item ${e.key}` : ''})`;

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
  let mail: MimeParts;
  try {
    mail = mimeParts(bytes);
  } catch (err) {
    bad(`not a MIME message (${(err as Error).message})`);
    return undefined;
  }
  const header = (name: string): string => mail.headers.get(name) ?? '';
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

/** One file's chain over its events' item keys, and its items' over theirs as the manifest lists them. */
interface FileChains {
  events: Chain;
  items: Chain;
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
    const chain = emptyChain();
    // a keyless event chains apart from any key (keys are checked to be strings)
    for (const e of events) extend(chain, e.key);
    this.files.set(rel, { events: chain, items: emptyChain() });
  }

  item(i: RsmfItemEntry): void {
    const f = this.files.get(i.path);
    if (f) extend(f.items, i.itemKey);
  }

  /**
   * Names the items and events of each file whose events are not its items: `items` reads the
   * manifest's item entries again, `read` a file's bytes again.
   */
  async finish(items: () => AsyncIterable<RsmfItemEntry>, read: (rel: string) => Buffer | undefined): Promise<void> {
    const differ = [...this.files].flatMap(([path, f]) =>
      sameChain(f.events, f.items) ? [] : [{ path, items: f.items.count }],
    );
    // a file's items are gathered whole (its events are compared as sets), however many they are
    const passes = gatherItems(
      differ,
      items,
      (i) =>
        typeof i.itemKey === 'string' && typeof i.path === 'string' ? { path: i.path, value: i.itemKey } : undefined,
      { limit: this.detailItems, split: false },
    );
    for await (const batch of passes)
      for (const { path: rel, values: keys } of batch) {
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
