/**
 * Replaying captured messages through the sandbox (`--include FILE.jsonl --media DIR`): decrypted
 * WeCom messages, one JSON object a line, are encrypted like generated ones and their media are
 * served from DIR/manifest.json (sdkfileid -> file name in DIR). Bad lines stop the generation
 * with the file, line and problem named, before anything is written.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { ArchiverError } from '../../core/errors.js';
import type { MediaIndexEntry } from './media.js';
import type { WecomMessage } from './payloads.js';
import { sdkFileIdsOf } from './payloads.js';

export interface IncludedMessage {
  msg: WecomMessage;
  line: number;
  /** msgtype, or `switch` */
  type: string;
}

export interface IncludeSet {
  messages: IncludedMessage[];
  /** sdkfileid -> absolute path of its bytes (from the manifest) */
  media: Map<string, string>;
  /** sdkfileids that no --media manifest resolves (GetMediaData answers 10005 for them) */
  unresolved: string[];
}

const ACTIONS = new Set(['send', 'recall', 'switch']);

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'WXA_CONFIG_NOT_FOUND' : 'WXA_CONFIG_INVALID';
    throw new ArchiverError(code, `${what} ${path} cannot be read; check the path`, { cause: err });
  }
}

/** What is wrong with one decrypted message, or undefined when it has what the archive needs. */
function problemOf(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'is not a JSON object';
  const m = v as Record<string, unknown>;
  if (typeof m.msgid !== 'string' || m.msgid === '') return '"msgid" is missing or not a string';
  if (typeof m.action !== 'string' || !ACTIONS.has(m.action)) return '"action" must be "send", "recall" or "switch"';
  if (m.action === 'switch') {
    if (!Number.isSafeInteger(m.time)) return '"time" (ms) is missing or not an integer';
    if (typeof m.user !== 'string' || m.user === '') return '"user" is missing';
    return undefined;
  }
  if (typeof m.msgtype !== 'string' || m.msgtype === '') return '"msgtype" is missing or not a string';
  if (!Number.isSafeInteger(m.msgtime) || (m.msgtime as number) < 0)
    return '"msgtime" (ms) is missing or not an integer';
  if (typeof m.from !== 'string' || m.from === '') return '"from" is missing or not a string';
  if (!Array.isArray(m.tolist) || !m.tolist.every((t) => typeof t === 'string'))
    return '"tolist" must be an array of strings';
  if (m.roomid !== undefined && typeof m.roomid !== 'string') return '"roomid" must be a string';
  return undefined;
}

async function readManifest(mediaDir: string): Promise<Map<string, string>> {
  const path = join(mediaDir, 'manifest.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readText(path, 'media manifest'));
  } catch (err) {
    if (err instanceof ArchiverError) throw err;
    throw new ArchiverError('WXA_CONFIG_INVALID', `${path}: not valid JSON; it must map sdkfileid to a file name`, {
      cause: err,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ArchiverError('WXA_CONFIG_INVALID', `${path}: must be a JSON object mapping sdkfileid to a file name`);
  }
  const out = new Map<string, string>();
  for (const [id, name] of Object.entries(parsed)) {
    const full = resolve(mediaDir, String(name));
    const rel = relative(resolve(mediaDir), full);
    if (typeof name !== 'string' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new ArchiverError('WXA_CONFIG_INVALID', `${path}: entry ${id} must name a file inside ${mediaDir}`);
    }
    out.set(id, full);
  }
  return out;
}

/** Read and check every line of `file`; with `mediaDir`, every sdkfileid must be in its manifest. */
export async function readInclude(file: string, mediaDir?: string): Promise<IncludeSet> {
  const manifest = mediaDir ? await readManifest(mediaDir) : undefined;
  const text = await readText(file, 'include file');
  const messages: IncludedMessage[] = [];
  const media = new Map<string, string>();
  const unresolved = new Set<string>();
  const msgids = new Set<string>();
  const fail = (line: number, what: string): never => {
    throw new ArchiverError('WXA_MESSAGE_MALFORMED', `${file} line ${line}: ${what}; fix the line or remove it`);
  };
  for (const [i, raw] of text.split('\n').entries()) {
    const line = i + 1;
    if (raw.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (err) {
      fail(line, `not valid JSON (${(err as Error).message})`);
    }
    const problem = problemOf(v);
    if (problem) fail(line, problem);
    const msg = v as WecomMessage;
    if (msgids.has(msg.msgid as string)) fail(line, `msgid ${String(msg.msgid)} appears twice`);
    msgids.add(msg.msgid as string);
    for (const id of sdkFileIdsOf(msg)) {
      if (!manifest) unresolved.add(id);
      else if (manifest.has(id)) media.set(id, manifest.get(id) as string);
      else fail(line, `sdkfileid ${id.slice(0, 24)}... is not in ${join(mediaDir as string, 'manifest.json')}`);
    }
    messages.push({ msg, line, type: msg.action === 'switch' ? 'switch' : (msg.msgtype as string) });
  }
  return { messages, media, unresolved: [...unresolved] };
}

/** Copy the included media into the dataset's media/ (content-named) and add their index entries. */
export async function copyIncludedMedia(
  set: IncludeSet,
  mediaDir: string,
  index: Map<string, MediaIndexEntry>,
): Promise<void> {
  for (const [id, path] of set.media) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      throw new ArchiverError(
        'WXA_CONFIG_NOT_FOUND',
        `media file ${path} (sdkfileid ${id.slice(0, 24)}...) cannot be read`,
        {
          cause: err,
        },
      );
    }
    const ext = /^\.[a-z0-9]{1,8}$/i.test(extname(path)) ? extname(path).toLowerCase() : '.bin';
    const file = `${createHash('sha256').update(bytes).digest('hex')}${ext}`;
    await writeFile(join(mediaDir, file), bytes);
    index.set(id, { file, size: bytes.length, md5: createHash('md5').update(bytes).digest('hex') });
  }
}
