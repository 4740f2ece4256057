// Shared set-up of the Gmail destination tests: service account keys, an emulator that trusts
// one of them, a destination pointed at it, a fake clock shared by both (throttling tests take
// no time), and rendered sample items.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { AttachmentRef } from '../../src/core/model.js';
import {
  createGmailDestination,
  gmailDestinationSchema,
  GMAIL_SCOPES,
  type GmailDestinationInput,
} from '../../src/destinations/gmail/index.js';
import type { Destination, RenderedItem } from '../../src/destinations/types.js';
import { messageIdFor, renderMime } from '../../src/render/index.js';
import { sampleCases, type SampleCase } from '../helpers/render-fixtures.js';
import { startGmailEmulator, type GmailEmulator, type GmailEmulatorOptions } from './emulator.js';

export const DOMAIN = 'example.com';
export const MAILBOX = 'zhang.wei@example.com';
export const OTHER = 'li.si@example.com';
export const LABEL = 'WeChat Archiver';
export const SA_EMAIL = 'archiver@wechat-archiver-test.iam.gserviceaccount.com';

function pem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
}

/** The service account's key (trusted by the emulator) and a key Google never saw. */
export const KEY = pem();
export const WRONG_KEY = pem();

export interface FakeClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** moves time on without a sleep (what the delivery stage's wait would do) */
  advance: (ms: number) => void;
  /** every wait asked for, in order */
  waits: number[];
}

export function fakeClock(start = Date.UTC(2024, 2, 6, 1, 0, 0)): FakeClock {
  let t = start;
  const waits: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      waits.push(ms);
      t += ms;
      await Promise.resolve();
    },
    advance: (ms) => {
      t += ms;
    },
    waits,
  };
}

export async function emulator(clock: FakeClock, opts: Partial<GmailEmulatorOptions> = {}): Promise<GmailEmulator> {
  return startGmailEmulator({
    domain: DOMAIN,
    serviceAccounts: [{ client_email: SA_EMAIL, publicKey: createPublicKey(KEY), delegatedScopes: [...GMAIL_SCOPES] }],
    users: [MAILBOX, OTHER],
    now: clock.now,
    ...opts,
  });
}

export function destination(
  emu: GmailEmulator,
  clock: FakeClock,
  cfg: Partial<GmailDestinationInput> = {},
  extra: { key?: string; fetch?: typeof fetch } = {},
): Destination {
  const config = gmailDestinationSchema.parse({
    kind: 'gmail',
    serviceAccount: {
      client_email: SA_EMAIL,
      private_key: extra.key ?? KEY,
      private_key_id: 'k1',
      token_uri: emu.tokenUri,
    },
    apiBaseUrl: emu.origin,
    ...cfg,
  });
  return createGmailDestination(config, {
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0.5,
    ...(extra.fetch ? { fetch: extra.fetch } : {}),
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

/** The text sample under another key and time, for volume tests. */
export function textItem(n: number): RenderedItem {
  const base = sampleCases().find((c) => c.name === 'text') as SampleCase;
  const msg = {
    ...base.msg,
    key: `${base.msg.key}-${n}`,
    msgid: `${base.msg.msgid}-${n}`,
    time: base.msg.time + n * 1000,
  };
  return rendered({ ...base, msg });
}

/** The file sample carrying one attachment of `size` bytes no compression can fake. */
export function bigItem(size: number, suffix = 'big'): RenderedItem {
  const base = sampleCases().find((c) => c.name === 'file') as SampleCase;
  const bytes = Buffer.allocUnsafe(size);
  let x = 7;
  for (let i = 0; i + 4 <= size; i += 4) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    bytes.writeUInt32LE(x, i);
  }
  const ref: AttachmentRef = {
    sdkfileid: `sdk-${suffix}`,
    filename: 'recording.mp4',
    contentType: 'video/mp4',
    size,
    role: 'media',
  };
  const msg = {
    ...base.msg,
    key: `${base.msg.key}-${suffix}`,
    msgid: `${base.msg.msgid}-${suffix}`,
    content: { kind: 'file' as const, attachment: 0, filename: ref.filename },
    attachments: [ref],
  };
  return rendered({ ...base, msg, ctx: { ...base.ctx, attachmentBytes: () => bytes } });
}

/** Internal dates carry whole seconds: the Date header has no milliseconds. */
export const toSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
