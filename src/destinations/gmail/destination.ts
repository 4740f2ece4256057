/**
 * The Gmail destination: wires the service account's tokens, the request policy, the label
 * cache and the uploads together, and answers the Destination seam. Exactly one copy per
 * (item, mailbox): the copy is looked up by its Message-ID under our label before anything is
 * written, and looked up again before an import whose first answer was lost is repeated.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { describeError } from '../../core/errors.js';
import { messageIdFor } from '../../render/index.js';
import {
  DestinationError,
  type CheckResult,
  type Destination,
  type DeliveryOutcome,
  type RenderedItem,
} from '../types.js';
import {
  GMAIL_MAX_MESSAGE_BYTES,
  GMAIL_MULTIPART_MAX_BYTES,
  GMAIL_SCOPES,
  type GmailDestinationConfig,
} from './config.js';
import { blockedAttachments } from './blocked-types.js';
import { GoogleRequestError, isBlockedAttachmentRefusal } from './google-errors.js';
import { backoffMs, GmailHttp } from './http.js';
import { LabelCache, userUrl } from './labels.js';
import { serviceAccountTokens } from './token.js';
import { importMultipart, importResumable, type UploadContext } from './upload.js';

export interface GmailDestinationDeps {
  /** HTTP for the Gmail API and the token endpoint (default: global fetch) */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** in [0, 1): the jitter of backoff */
  random?: () => number;
}

const MB = 1024 * 1024;
const googleInfo0 = { reason: '', status: '', message: '' };
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB (${bytes.toLocaleString('en-US')} bytes)`;

/** users.messages.list query for one Message-ID (Gmail's search operator, angle brackets included). */
export function copyQuery(messageId: string, labelId: string): string {
  return new URLSearchParams({
    q: `rfc822msgid:${messageId}`,
    labelIds: labelId,
    // A copy a user trashed is still our copy: importing again would make a second one.
    includeSpamTrash: 'true',
    maxResults: '1',
  }).toString();
}

export function createGmailDestination(cfg: GmailDestinationConfig, deps: GmailDestinationDeps = {}): Destination {
  const f = deps.fetch ?? fetch;
  const clock = { now: deps.now ?? Date.now, sleep: deps.sleep ?? ((ms: number) => delay(ms)) };
  const random = deps.random ?? Math.random;
  const timeoutMs = cfg.requestTimeoutSeconds * 1000;
  const tokens = serviceAccountTokens(cfg.serviceAccount, {
    fetch: f,
    now: clock.now,
    timeoutMs,
    scopes: GMAIL_SCOPES,
  });
  const http = new GmailHttp({
    fetch: f,
    tokens,
    clock,
    random,
    maxRetries: cfg.maxRetries,
    maxRetryWaitMs: cfg.maxRetryWaitSeconds * 1000,
    timeoutMs,
  });
  const labels = new LabelCache(http, cfg.apiBaseUrl, cfg.label);
  const upload: UploadContext = {
    http,
    uploadBaseUrl: cfg.uploadBaseUrl ?? cfg.apiBaseUrl,
    chunkBytes: cfg.uploadChunkMiB * MB,
    maxRetries: cfg.maxRetries,
    clock,
    random,
  };

  async function findCopy(mailbox: string, labelId: string, messageId: string): Promise<string | undefined> {
    const reply = await http.send({
      mailbox,
      method: 'GET',
      url: `${userUrl(cfg.apiBaseUrl)}/messages?${copyQuery(messageId, labelId)}`,
      what: `looking for ${messageId} in ${mailbox}`,
      idempotent: true,
    });
    const first = (reply.body as { messages?: { id?: unknown }[] } | undefined)?.messages?.[0];
    return typeof first?.id === 'string' ? first.id : undefined;
  }

  async function deliver(item: RenderedItem, mailbox: string): Promise<DeliveryOutcome> {
    const size = item.mime.length;
    if (size > GMAIL_MAX_MESSAGE_BYTES) {
      throw new DestinationError(
        'permanent',
        `item ${item.key} is ${mb(size)}, over the Gmail import limit of ${mb(GMAIL_MAX_MESSAGE_BYTES)}`,
        { tooLarge: { size, limit: GMAIL_MAX_MESSAGE_BYTES } },
      );
    }
    const what = `importing item ${item.key} into ${mailbox}`;
    let labelId = await labels.ensure(mailbox);
    const existing = await findCopy(mailbox, labelId, item.messageId);
    if (existing) return { status: 'duplicate', remoteId: existing };
    let relabeled = false;
    for (let attempt = 0; ; attempt++) {
      const req = { mailbox, labelId, mime: item.mime, what };
      try {
        const m =
          size <= GMAIL_MULTIPART_MAX_BYTES ? await importMultipart(upload, req) : await importResumable(upload, req);
        return { status: 'delivered', remoteId: m.id };
      } catch (err) {
        if (err instanceof GoogleRequestError && isBlockedAttachmentRefusal(err.status, err.google ?? googleInfo0)) {
          // The delivery stage sends a copy without the refused files, each replaced by a note.
          throw new DestinationError('permanent', `${err.message}; attachments of a blocked type are left out`, {
            cause: err,
            refused: blockedAttachments(item).map((index) => ({ index, reason: 'blocked-type' as const })),
          });
        }
        if (
          !relabeled &&
          err instanceof GoogleRequestError &&
          err.status === 400 &&
          /label/i.test(err.google?.message ?? '')
        ) {
          // The cached label was deleted meanwhile: find or create it again, once.
          relabeled = true;
          labels.forget(mailbox);
          labelId = await labels.ensure(mailbox);
          attempt--;
          continue;
        }
        if (!(err instanceof DestinationError) || err.failure !== 'transient' || attempt >= cfg.maxRetries) throw err;
        await clock.sleep(backoffMs(attempt, random));
        // The lost answer may have been a success: look before importing a second copy.
        const found = await findCopy(mailbox, labelId, item.messageId);
        if (found) return { status: 'delivered', remoteId: found };
      }
    }
  }

  async function check(): Promise<CheckResult> {
    const sa = cfg.serviceAccount.client_email;
    try {
      await tokens.token(undefined);
    } catch (err) {
      return { ok: false, details: [describeError(err)] };
    }
    const details = [`the key of service account ${sa} is accepted by ${cfg.serviceAccount.token_uri}`];
    const mailbox = cfg.checkMailbox;
    if (!mailbox) {
      details.push('no checkMailbox configured: delegation to each mailbox is verified by its first delivery');
      return { ok: true, details };
    }
    try {
      await tokens.token(mailbox);
      details.push(`domain-wide delegation lets ${sa} act as ${mailbox} with ${GMAIL_SCOPES.join(', ')}`);
      const labelId = await labels.find(mailbox);
      details.push(
        labelId
          ? `label "${cfg.label}" found in ${mailbox}`
          : `${mailbox} is reachable; label "${cfg.label}" does not exist yet and is created with the first item`,
      );
      if (labelId) {
        await findCopy(mailbox, labelId, '<check@wechat-archiver.invalid>');
        details.push('searching by Message-ID works (the idempotency check)');
      }
      return { ok: true, details };
    } catch (err) {
      details.push(describeError(err));
      return { ok: false, details };
    }
  }

  return {
    kind: 'gmail',
    check,
    async has(key, mailbox) {
      const labelId = await labels.find(mailbox);
      if (!labelId) return false;
      return (await findCopy(mailbox, labelId, messageIdFor(key))) !== undefined;
    },
    deliver,
    async close() {
      tokens.clear();
      labels.clear();
      http.clear();
    },
  };
}
