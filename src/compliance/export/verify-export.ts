/**
 * Checks an export directory against its manifest, as the receiving side (or the producing side
 * before handing it over) would: every file the manifest lists is there, of its size and SHA-256;
 * no file is there that it does not list; its counts add up; each EML item's file is that item's
 * archived MIME, and each mbox holds its items' archived messages, in order; each RSMF file is
 * RSMF 2.0.0 with a readable zip that holds every attachment its events name, and its events are
 * its items, in order (verify-rsmf.ts). With the archive that made it, also that the archive's
 * audit log recorded this very manifest (its SHA-256) for the export, and that each item is still
 * archived with the same MIME hash. Nothing is written, in the directory or the archive.
 *
 * The manifest is read a line at a time in the layout the exporter writes (a file or item entry a
 * line), so memory does not grow with the export's items; a manifest in another layout (pretty-
 * printed again by other tools) is read whole. The paths of the listed files are kept, to find the
 * files it does not list: some 150 bytes per file. What an RSMF file or an mbox holds is checked
 * against its items by a count and a hash chained over each side, some 200 bytes more a file; only
 * a file whose two differ has its items gathered again, a bounded batch per pass over the
 * manifest, to name each one at fault (verify-chain.ts).
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, lstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { ArchiverError } from '../../core/errors.js';
import { exportAuditEvents, itemMimeHashes, type Store } from '../../store/index.js';
import type { ExportProblem, ExportVerification } from './job-types.js';
import { MANIFEST_NAME } from './manifest.js';
import { DETAIL_ITEMS, emptyChain, extend, type Chain } from './verify-chain.js';
import {
  fileInside,
  inside,
  isCount,
  isItemEntry,
  isSha256,
  type FileEntry,
  type ItemEntry,
} from './verify-entries.js';
import { checkMboxes } from './verify-mbox.js';
import type { RsmfCheck } from './verify-rsmf.js';

export type { ExportProblem, ExportVerification } from './job-types.js';

const PROBLEMS_LISTED = 200;
/** Items whose archived hashes are asked for at once. */
const ITEM_BATCH = 500;
/** Largest RSMF file read to check its events: the most a file can be read whole (Node's limit). */
const RSMF_READ_MAX = 2 ** 31 - 1;

interface ManifestHead {
  manifestVersion?: number;
  format?: string;
  exportId?: string;
  case?: { id: number; name: string | null } | null;
  exportedBy?: string;
  startedAt?: string;
  counts?: { items: number; files: number; bytes: number };
}

type Part =
  { kind: 'head'; head: ManifestHead } | { kind: 'file'; entry: FileEntry } | { kind: 'item'; entry: ItemEntry };

class LayoutError extends Error {}

/**
 * The manifest as the exporter lays it out: the head, then a file entry a line, then an item
 * entry a line. With `parse` false, only checks that layout (nothing is yielded).
 */
async function* linesOfManifest(path: string, parse: boolean): AsyncGenerator<Part> {
  const head: string[] = [];
  let state: 'head' | 'files' | 'between' | 'items' | 'end' = 'head';
  let n = 0;
  const entry = (line: string): unknown => {
    if (!line.startsWith('    {') || !(line.endsWith('},') || line.endsWith('}'))) throw new LayoutError(`line ${n}`);
    if (!parse) return undefined;
    try {
      return JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line);
    } catch (err) {
      throw new ArchiverError(
        'WXA_INPUT_INVALID',
        `${path} line ${n}: not a JSON entry (${(err as Error).message}): the manifest is damaged`,
      );
    }
  };
  for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    n++;
    if (state === 'head') {
      if (line !== '  "files": [') {
        if (head.length > 1000) throw new LayoutError('its head');
        head.push(line);
        continue;
      }
      const text = head.join('\n');
      if (!text.startsWith('{') || !text.endsWith(',')) throw new LayoutError(`line ${n}`);
      let parsed: ManifestHead;
      try {
        parsed = JSON.parse(`${text.slice(0, -1)}\n}`) as ManifestHead;
      } catch {
        throw new LayoutError('its head');
      }
      if (parse) yield { kind: 'head', head: parsed };
      state = 'files';
    } else if (state === 'files') {
      if (line === '  ],') state = 'between';
      else {
        const e = entry(line);
        if (parse) yield { kind: 'file', entry: e as FileEntry };
      }
    } else if (state === 'between') {
      if (line !== '  "items": [') throw new LayoutError(`line ${n}`);
      state = 'items';
    } else if (state === 'items') {
      if (line === '  ]') state = 'end';
      else {
        const e = entry(line);
        if (parse) yield { kind: 'item', entry: e as ItemEntry };
      }
    } else if (line !== '}' && line !== '') throw new LayoutError(`line ${n}`);
  }
  if (state !== 'end') throw new LayoutError('its end');
}

/** A manifest in another layout, read whole. */
async function* wholeManifest(path: string): AsyncGenerator<Part> {
  const m = JSON.parse(await readFile(path, 'utf8')) as ManifestHead & { files?: unknown; items?: unknown };
  if (!Array.isArray(m.files) || !Array.isArray(m.items)) throw new Error('it has no files or items list');
  yield { kind: 'head', head: m };
  for (const f of m.files as FileEntry[]) yield { kind: 'file', entry: f };
  for (const i of m.items as ItemEntry[]) yield { kind: 'item', entry: i };
}

/** Largest manifest in another layout read whole (one in the exporter's layout is streamed, whatever its size). */
const WHOLE_MANIFEST_MAX = 256 * 1024 * 1024;

/**
 * A reader of the manifest's head, file entries and item entries, in that order, each call a new
 * read. Its layout is found once, here (a read of the whole manifest), not again for each later
 * read of the items.
 */
async function manifestReader(path: string): Promise<() => AsyncGenerator<Part>> {
  let inLines = true;
  try {
    for await (const _ of linesOfManifest(path, false));
  } catch (err) {
    if (!(err instanceof LayoutError)) throw err;
    inLines = false;
  }
  if (inLines) return () => linesOfManifest(path, true);
  const size = (await stat(path)).size;
  if (size > WHOLE_MANIFEST_MAX)
    throw new ArchiverError(
      'WXA_INPUT_INVALID',
      `${path} is not laid out as the exporter writes it (an entry a line), and at ${size} bytes is too large to read whole`,
    );
  return async function* () {
    try {
      yield* wholeManifest(path);
    } catch (err) {
      throw new ArchiverError(
        'WXA_INPUT_INVALID',
        `${path} is not an export manifest (${(err as Error).message}); give the directory an export wrote`,
        { cause: err },
      );
    }
  };
}

let hashBuffer: Buffer | undefined;

/** A file's SHA-256 and size, read by plain system calls into one reused buffer. */
function hashFile(path: string): { sha256: string; bytes: number } {
  hashBuffer ??= Buffer.allocUnsafe(1 << 20);
  const h = createHash('sha256');
  let bytes = 0;
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, hashBuffer, 0, hashBuffer.length, null); n > 0;) {
      h.update(hashBuffer.subarray(0, n));
      bytes += n;
      n = readSync(fd, hashBuffer, 0, hashBuffer.length, null);
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: h.digest('hex'), bytes };
}

/** Every regular file under `dir` but the manifest and the export's journal, as manifest paths. */
async function filesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (d.isDirectory()) continue;
    const rel = relative(dir, join(d.parentPath, d.name)).split(sep).join('/');
    if (rel === MANIFEST_NAME || rel === '.export' || rel.startsWith('.export/')) continue;
    out.push(rel);
  }
  return out;
}

/**
 * Verifies the export in `dir` against its manifest; with `store` (the archive that made it),
 * against the archive's audit log and items too. Problems are reported, not thrown; a directory
 * that holds no export manifest is refused.
 */
export async function verifyExport(
  dir: string,
  opts: {
    store?: Store;
    /** items gathered at most per pass over the manifest to name those of an RSMF file or mbox that differs */
    detailItems?: number;
  } = {},
): Promise<ExportVerification> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory())
    throw new ArchiverError(
      'WXA_INPUT_INVALID',
      `${dir} ${st ? 'is not a directory' : 'does not exist'}; give the directory an export wrote`,
    );
  const manifestPath = join(dir, MANIFEST_NAME);
  if (!(await stat(manifestPath).catch(() => undefined))?.isFile())
    throw new ArchiverError(
      'WXA_INPUT_INVALID',
      `${dir} holds no ${MANIFEST_NAME}: not an export's directory, or an export that has not finished (run the same export command again to finish it)`,
    );
  const manifestSha256 = hashFile(manifestPath).sha256;

  const problems: ExportProblem[] = [];
  let problemCount = 0;
  const problem = (p: ExportProblem) => {
    problemCount++;
    if (problems.length < PROBLEMS_LISTED) problems.push(p);
  };
  let head: ManifestHead = {};
  /** path -> SHA-256 as the manifest lists it */
  const listed = new Map<string, string>();
  let listedBytes = 0;
  const checked = { files: 0, bytes: 0, items: 0 };
  const archive = opts.store
    ? {
        auditEvents: [] as NonNullable<ExportVerification['archive']>['auditEvents'],
        manifestRecorded: false,
        itemsChecked: 0,
        itemsNotInArchive: 0,
      }
    : undefined;
  let pending: ItemEntry[] = [];
  /** mbox: each file's chain over its items' MIME hashes, in the order their messages are in it */
  const mboxItems = new Map<string, Chain>();
  /** RSMF: each file's events against its items (loaded with the head, only for an RSMF export) */
  let rsmf: RsmfCheck | undefined;
  const checkInArchive = async (items: ItemEntry[]) => {
    const hashes = await itemMimeHashes(
      opts.store!.db,
      items.map((i) => i.itemKey),
    );
    for (const i of items) {
      const archived = hashes.get(i.itemKey);
      if (archived === undefined) archive!.itemsNotInArchive++;
      else {
        archive!.itemsChecked++;
        if (archived !== i.mimeSha256)
          problem({
            path: i.itemKey,
            problem: 'archive-hash',
            detail: `item ${i.itemKey}: the manifest gives MIME SHA-256 ${i.mimeSha256}, the archive holds ${archived}`,
          });
      }
    }
  };

  const manifestParts = await manifestReader(manifestPath);
  /** the item entries the first read checked (the well-formed ones), read again */
  async function* itemsAgain(): AsyncGenerator<ItemEntry> {
    for await (const part of manifestParts()) if (part.kind === 'item' && isItemEntry(part.entry)) yield part.entry;
  }
  for await (const part of manifestParts()) {
    if (part.kind === 'head') {
      head = part.head;
      if (head.format === 'rsmf') rsmf = new (await import('./verify-rsmf.js')).RsmfCheck(problem, opts.detailItems);
      continue;
    }
    if (part.kind === 'file') {
      const f = part.entry;
      if (typeof f.path !== 'string' || !isSha256(f.sha256) || !isCount(f.bytes)) {
        problem({
          path: String(f.path),
          problem: 'counts',
          detail: `a file entry is not {path, sha256, bytes}: ${JSON.stringify(f)}`,
        });
        continue;
      }
      listedBytes += f.bytes;
      if (listed.has(f.path)) problem({ path: f.path, problem: 'counts', detail: `${f.path} is listed twice` });
      listed.set(f.path, f.sha256);
      const abs = inside(dir, f.path);
      if (!abs) {
        problem({ path: f.path, problem: 'not-a-file', detail: `${f.path} leads out of the export's directory` });
        continue;
      }
      // plain system calls: a hand-off to the thread pool per file cost more than the call
      const ls = lstatSync(abs, { throwIfNoEntry: false });
      if (!ls) {
        problem({ path: f.path, problem: 'missing', detail: `${f.path} is listed but not there` });
        continue;
      }
      if (!ls.isFile()) {
        problem({ path: f.path, problem: 'not-a-file', detail: `${f.path} is not a regular file` });
        continue;
      }
      // an RSMF file is read whole, once, to hash it and to read its events: one file in memory at a time
      const open = rsmf && f.path.endsWith('.rsmf');
      if (open && ls.size > RSMF_READ_MAX)
        problem({
          path: f.path,
          problem: 'item-file',
          detail: `${f.path}: at ${ls.size} bytes, too large to read whole, so its events were not checked`,
        });
      const whole = open && ls.size <= RSMF_READ_MAX ? readFileSync(abs) : undefined;
      const got = whole
        ? { sha256: createHash('sha256').update(whole).digest('hex'), bytes: whole.length }
        : hashFile(abs);
      checked.files++;
      checked.bytes += got.bytes;
      if (got.bytes !== f.bytes)
        problem({
          path: f.path,
          problem: 'size',
          detail: `${f.path}: the manifest gives ${f.bytes} bytes, the file has ${got.bytes}`,
        });
      else if (got.sha256 !== f.sha256)
        problem({
          path: f.path,
          problem: 'sha256',
          detail: `${f.path}: the manifest gives SHA-256 ${f.sha256}, the file's is ${got.sha256}`,
        });
      if (whole) await rsmf!.file(f.path, whole);
      continue;
    }
    const i = part.entry;
    checked.items++;
    if (!isItemEntry(i)) {
      problem({
        path: String(i.itemKey),
        problem: 'counts',
        detail: `an item entry is not {itemKey, mimeSha256, path, ...}: ${JSON.stringify(i)}`,
      });
      continue;
    }
    if (!listed.has(i.path))
      problem({
        path: i.itemKey,
        problem: 'item-file',
        detail: `item ${i.itemKey}: its file ${i.path} is not among the manifest's files`,
      });
    // an EML file is exactly the item's archived MIME
    else if (head.format === 'eml' && listed.get(i.path) !== i.mimeSha256)
      problem({
        path: i.itemKey,
        problem: 'item-file',
        detail: `item ${i.itemKey}: its file ${i.path} is listed with SHA-256 ${listed.get(i.path)}, not its archived MIME's ${i.mimeSha256}`,
      });
    rsmf?.item(i);
    // an mbox's messages are checked against its items once they are all read
    if (head.format === 'mbox') {
      let chain = mboxItems.get(i.path);
      if (!chain) mboxItems.set(i.path, (chain = emptyChain()));
      extend(chain, i.mimeSha256);
    }
    if (archive) {
      pending.push(i);
      if (pending.length >= ITEM_BATCH) {
        await checkInArchive(pending);
        pending = [];
      }
    }
  }
  if (archive && pending.length) await checkInArchive(pending);
  await rsmf?.finish(itemsAgain, (path) => {
    const abs = fileInside(dir, path);
    return abs ? readFileSync(abs) : undefined;
  });
  await checkMboxes(dir, mboxItems, itemsAgain, problem, opts.detailItems ?? DETAIL_ITEMS);

  const counts = head.counts;
  if (!counts || !isCount(counts.items) || !isCount(counts.files) || !isCount(counts.bytes))
    problem({ path: MANIFEST_NAME, problem: 'counts', detail: 'the manifest gives no counts' });
  else {
    const listedCounts = { items: checked.items, files: listed.size, bytes: listedBytes };
    for (const k of ['items', 'files', 'bytes'] as const)
      if (counts[k] !== listedCounts[k])
        problem({
          path: MANIFEST_NAME,
          problem: 'counts',
          detail: `the manifest's counts give ${counts[k]} ${k}, its entries ${listedCounts[k]}`,
        });
  }
  for (const rel of await filesIn(dir))
    if (!listed.has(rel))
      problem({ path: rel, problem: 'not-listed', detail: `${rel} is in the directory but not in the manifest` });

  if (archive) {
    const exportId = head.exportId;
    const events = exportId ? await exportAuditEvents(opts.store!.db, exportId) : [];
    for (const e of events) {
      const d = JSON.parse(e.detailJson) as { exportId?: string; manifestSha256?: string };
      if (d.exportId !== exportId) continue;
      archive.auditEvents.push({
        id: e.id,
        at: new Date(e.at).toISOString(),
        actor: e.actor,
        manifestSha256: d.manifestSha256 ?? null,
      });
    }
    archive.manifestRecorded = archive.auditEvents.some((e) => e.manifestSha256 === manifestSha256);
    if (!archive.auditEvents.length)
      problem({
        path: MANIFEST_NAME,
        problem: 'not-audited',
        detail: exportId
          ? `this archive's audit log has no export ${exportId}: another archive's export, or its audit events were pruned`
          : 'the manifest gives no export id to look for in the audit log (an export by an earlier build)',
      });
    else if (!archive.manifestRecorded)
      problem({
        path: MANIFEST_NAME,
        problem: 'manifest-altered',
        detail: `the audit log records manifest SHA-256 ${archive.auditEvents.map((e) => e.manifestSha256).join(', ')} for export ${exportId}; this manifest's is ${manifestSha256}`,
      });
  }

  return {
    dir,
    manifestSha256,
    exportId: head.exportId ?? null,
    format: head.format ?? 'unknown',
    case: head.case ?? null,
    exportedBy: head.exportedBy ?? 'unknown',
    startedAt: head.startedAt ?? 'unknown',
    counts: counts ?? { items: 0, files: 0, bytes: 0 },
    checked,
    problems,
    problemCount,
    ...(archive ? { archive } : {}),
    ok: problemCount === 0,
  };
}
