// Shared set-up of the Graph destination tests: an emulator, a destination pointed at it
// (msal included: its sign-in host is routed to the emulator), a fake clock that records
// every wait, and rendered sample items.
import { endianness } from 'node:os';
import type { AttachmentRef } from '../../src/core/model.js';
import {
  createGraphDestination,
  graphDestinationSchema,
  type GraphDestinationInput,
  type UploadSessionStore,
} from '../../src/destinations/graph/index.js';
import type { Destination, RenderedItem } from '../../src/destinations/types.js';
import { messageIdFor, renderMime } from '../../src/render/index.js';
import { sampleCases, type SampleCase } from '../helpers/render-fixtures.js';
import { startGraphEmulator, type GraphEmulator, type GraphEmulatorOptions } from './emulator.js';

export const MAILBOX = 'zhang.wei@example.com';
export const OTHER = 'li.si@example.com';
export const FOLDER = 'WeChat Archiver';
export const LOGIN = 'https://login.microsoftonline.com';

export interface FakeClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** every wait asked for, in order */
  waits: number[];
}

/** A clock that jumps instead of waiting, so throttling tests take no time. */
export function fakeClock(start = Date.now()): FakeClock {
  let t = start;
  const waits: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      waits.push(ms);
      t += ms;
      await Promise.resolve();
    },
    waits,
  };
}

export async function emulator(opts: Partial<GraphEmulatorOptions> = {}): Promise<GraphEmulator> {
  return startGraphEmulator({ mailboxes: [MAILBOX, OTHER], ...opts });
}

export function destination(
  emu: GraphEmulator,
  clock: FakeClock,
  cfg: Partial<GraphDestinationInput> = {},
  extra: { random?: () => number; fetch?: typeof fetch; uploadSessions?: UploadSessionStore } = {},
): Destination {
  const config = graphDestinationSchema.parse({
    kind: 'graph',
    tenantId: 'tenant-1',
    clientId: 'client-1',
    auth: { kind: 'secret', secret: 'secret-1' },
    graphBaseUrl: emu.graphBaseUrl,
    ...cfg,
  });
  return createGraphDestination(config, {
    fetch: extra.fetch ?? emu.fetchVia([LOGIN, 'https://login.microsoftonline.us', 'https://login.chinacloudapi.cn']),
    sleep: clock.sleep,
    now: clock.now,
    random: extra.random ?? (() => 0.5),
    ...(extra.uploadSessions ? { uploadSessions: extra.uploadSessions } : {}),
  });
}

/** A RenderedItem the way the pipeline makes one: MIME from the renderer, bytes beside it. */
export function rendered(c: SampleCase): RenderedItem {
  return {
    key: c.msg.key,
    messageId: messageIdFor(c.msg.key),
    mime: renderMime(c.msg, c.ctx),
    time: c.msg.time,
    model: c.msg,
    attachments: c.msg.attachments.map((ref, i) => ({ ref, bytes: c.ctx.attachmentBytes(i) })),
  };
}

export function sampleItems(): RenderedItem[] {
  return sampleCases().map(rendered);
}

/** A text sample under another key (and time), for volume tests. */
export function textItem(n: number, keySuffix = String(n), text?: string): RenderedItem {
  const base = sampleCases().find((c) => c.name === 'text') as SampleCase;
  const msg = {
    ...base.msg,
    key: `${base.msg.key}-${keySuffix}`,
    msgid: `${base.msg.msgid}-${keySuffix}`,
    time: base.msg.time + n * 1000,
    content: text === undefined ? base.msg.content : { kind: 'text' as const, text },
  };
  return rendered({ ...base, msg });
}

/** The `file` sample carrying the given attachments instead of its own. */
export function itemWithFiles(keySuffix: string, files: { name: string; bytes: Buffer | undefined }[]): RenderedItem {
  const base = sampleCases().find((c) => c.name === 'file') as SampleCase;
  const attachments: AttachmentRef[] = files.map((f, i) => ({
    sdkfileid: `sdk-${keySuffix}-${i}`,
    filename: f.name,
    contentType: 'application/octet-stream',
    size: f.bytes?.length,
    role: 'media',
  }));
  const msg = {
    ...base.msg,
    key: `${base.msg.key}-${keySuffix}`,
    msgid: `${base.msg.msgid}-${keySuffix}`,
    content: { kind: 'file' as const, attachment: 0, filename: files[0]?.name ?? 'file' },
    attachments,
  };
  return rendered({ ...base, msg, ctx: { ...base.ctx, attachmentBytes: (i) => files[i]?.bytes } });
}

/** Bytes no compression or pattern can fake: each position depends on its index. */
export function bigBytes(size: number, seed = 7): Buffer {
  // Filled through a 32-bit view of a buffer of its own (aligned): a write per word through
  // Buffer's method cost about 2 s of CPU per test file for the tens of MB these tests send.
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = seed >>> 0;
  const whole = size >>> 2;
  for (let w = 0; w < whole; w++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    words[w] = x;
  }
  const b = Buffer.from(words.buffer, 0, size);
  if (!LITTLE_ENDIAN) for (let i = 0; i + 4 <= size; i += 4) b.writeUInt32LE(b.readUInt32BE(i), i);
  for (let i = whole * 4; i < size; i++) b[i] = (x >>> (8 * (i % 4))) & 0xff;
  return b;
}

const LITTLE_ENDIAN = endianness() === 'LE';
