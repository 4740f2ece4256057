/**
 * MULTIAPPEND (RFC 3502): many messages in one APPEND command, stored by the server in one
 * transaction, all or none. Into Dovecot this is what makes a backlog fast: each APPEND of its
 * own costs a mailbox transaction (measured 5 ms a message on the benchmark machine, whatever
 * the round trips), one MULTIAPPEND of 100 costs about as much as a few single ones.
 *
 * ImapFlow has no call for it, so the command goes through `exec`, the primitive its own
 * `append()` is built on (same compiler, literals, continuation handling and tagged-response
 * bookkeeping), with its exported formatting helpers; nothing here touches the socket.
 */
import type { ImapFlow } from 'imapflow';
import { crashPoint } from '../../core/fault-points.js';

/** A token of a command as ImapFlow's compiler takes it. */
type Token =
  { type: 'ATOM' | 'STRING'; value: string } | { type: 'LITERAL'; value: Buffer; isLiteral8?: boolean } | Token[];

/** A parsed tagged response, as far as this module reads it. */
interface TaggedResponse {
  attributes?: { section?: { value?: unknown }[] }[];
}

/**
 * ImapFlow's command primitive. It is not in the published typings (marked internal), but it
 * is what every one of its commands calls; the alternative, a second IMAP client on an
 * unbound socket, would duplicate its parser and bookkeeping for no measured gain (with
 * LITERAL+ and pipelining, 2,000 single APPENDs still ran at a fifth of MULTIAPPEND's rate).
 */
interface CommandRunner {
  exec(
    command: string,
    attributes: Token[],
    options?: { onSend?: () => void },
  ): Promise<{ response: TaggedResponse; next(): void }>;
}

let imapTools: Promise<typeof import('imapflow/lib/tools.js')> | undefined;

export interface AppendInput {
  mime: Buffer;
  /** ms UTC: the internal date */
  time: number;
}

/** Whether the server takes several messages in one APPEND. */
export function offersMultiAppend(client: ImapFlow): boolean {
  return client.capabilities.has('MULTIAPPEND');
}

/**
 * APPENDs the messages (\Seen, each with its time as internal date) to the folder in one
 * command. Resolves with each message's UID in order when the server told them (UIDPLUS);
 * rejects as ImapFlow does for a refused command (`responseStatus` NO or BAD and the response
 * code in `serverResponseCode`), in which case the server stored none of them.
 */
export async function multiAppend(
  client: ImapFlow,
  path: string,
  messages: readonly AppendInput[],
): Promise<{ uids?: number[]; uidValidity?: bigint }> {
  // loaded with the first batch, as imapflow itself is with the first connection (destination.ts)
  const { encodePath, enhanceCommandError, formatDateTime } = await (imapTools ??= import('imapflow/lib/tools.js'));
  const binary = client.capabilities.has('BINARY');
  const attributes: Token[] = [{ type: 'ATOM', value: encodePath(client, path) }];
  for (const m of messages) {
    attributes.push([{ type: 'ATOM', value: '\\Seen' }]);
    attributes.push({ type: 'STRING', value: formatDateTime(new Date(m.time)) ?? '' });
    // A NUL byte needs literal8 (RFC 3516), as ImapFlow's own append() decides.
    attributes.push({ type: 'LITERAL', value: m.mime, isLiteral8: binary && m.mime.includes(0) });
  }
  const runner = client as unknown as CommandRunner;
  let res;
  try {
    res = await runner.exec('APPEND', attributes, { onSend: () => crashPoint('mid-append') });
  } catch (err) {
    // Adds serverResponseCode and the response text, which the error classification reads.
    if ((err as { response?: unknown }).response) await enhanceCommandError(err as never);
    throw err;
  }
  res.next();
  return appendUids(res.response, messages.length);
}

/** UIDVALIDITY and the UIDs of `[APPENDUID <validity> <uid-set>]` (RFC 4315), if it names one per message. */
function appendUids(response: TaggedResponse, count: number): { uids?: number[]; uidValidity?: bigint } {
  const section = response.attributes?.[0]?.section;
  const words = section?.map((s) => (typeof s?.value === 'string' ? s.value : ''));
  if (!words || words[0]?.toUpperCase() !== 'APPENDUID' || !/^\d+$/.test(words[1] ?? '')) return {};
  const uids = expandUidSet(words[2] ?? '');
  return uids && uids.length === count ? { uids, uidValidity: BigInt(words[1]!) } : {};
}

/** `5:7,9` -> [5, 6, 7, 9]; undefined for anything else (or an implausibly long set). */
export function expandUidSet(set: string): number[] | undefined {
  const out: number[] = [];
  for (const part of set.split(',')) {
    const m = /^(\d+)(?::(\d+))?$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (Math.abs(b - a) > 100_000) return undefined;
    for (let u = Math.min(a, b); u <= Math.max(a, b); u++) out.push(u);
  }
  return out;
}
