/**
 * Writes one RSMF 2.0.0 file: an RFC 5322 message whose X-RSMF-* header fields describe the
 * conversation, whose text body is a readable transcript, and whose single attachment,
 * `rsmf.zip`, holds `rsmf_manifest.json` and every attachment the manifest names. The output
 * depends only on the items (fixed zip times, Date from the first event), so a resumed export
 * writes the same bytes.
 */
import { createHash } from 'node:crypto';
import { zipSync } from 'fflate';
import libmime from 'libmime';
import { base64Lines } from '../../core/base64-lines.js';
import { buildRsmf, RSMF_MANIFEST_NAME, RSMF_VERSION, RSMF_ZIP_NAME, type RsmfItem } from './rsmf-manifest.js';

/** fflate's zip time (the DOS epoch is 1980; a fixed time keeps the bytes reproducible). */
const ZIP_TIME = new Date('1980-01-01T00:00:00Z');
const GENERATOR = 'WeChat Archiver';

function field(name: string, value: string): string {
  // Non-ASCII values as RFC 2047 encoded words; folded by libmime.
  return libmime.foldLines(`${name}: ${libmime.encodeWords(value, 'Q', 52)}`, 76) + '\r\n';
}

export function rsmfFile(items: readonly RsmfItem[], collectionId: string): { bytes: Buffer; events: number } {
  const { manifest, files } = buildRsmf(items, collectionId);
  const zip = zipSync(
    {
      [RSMF_MANIFEST_NAME]: [Buffer.from(JSON.stringify(manifest, null, 2), 'utf8'), { mtime: ZIP_TIME }],
      // media are compressed formats already (images, video, voice): stored, not deflated again
      ...Object.fromEntries(files.map((f) => [f.name, [f.bytes, { mtime: ZIP_TIME, level: 0 }] as const])),
    },
    { level: 6 },
  );
  const conv = manifest.conversations[0]!;
  const names = new Map(manifest.participants.map((p) => [p.id, p.display ?? p.id]));
  const events = manifest.events;
  const begin = events[0]!.timestamp;
  const end = events[events.length - 1]!.timestamp;
  const transcript = events
    .map((e) => {
      const att = e.attachments?.length ? `\n  [attachments: ${e.attachments.map((a) => a.display).join(', ')}]` : '';
      const del = e.deleted ? ' [recalled]' : '';
      return `[${e.timestamp}] ${names.get(e.participant) ?? e.participant}${del}: ${e.body.replace(/\r?\n/g, '\n  ')}${att}`;
    })
    .join('\n');
  const text = `${conv.display ?? conv.id} (${conv.type}), ${begin} to ${end}, ${events.length} events\n\n${transcript}\n`;
  const boundary = `rsmf-${createHash('sha256').update(zip).digest('hex').slice(0, 32)}`;
  const custodian = conv.custodian ?? '';
  const head =
    field('From', custodian || events[0]!.participant) +
    field('To', manifest.participants.map((p) => p.email).join(', ')) +
    field('Subject', `${conv.display ?? conv.id} ${begin.slice(0, 10)}`) +
    `Date: ${new Date(begin).toUTCString().replace('GMT', '+0000')}\r\n` +
    `Message-ID: <${collectionId.replace(/[^A-Za-z0-9._-]/g, '_')}@rsmf.invalid>\r\n` +
    'MIME-Version: 1.0\r\n' +
    `X-RSMF-Version: ${RSMF_VERSION}\r\n` +
    field('X-RSMF-Generator', GENERATOR) +
    `X-RSMF-EventCount: ${events.length}\r\n` +
    `X-RSMF-BeginDate: ${begin}\r\n` +
    `X-RSMF-EndDate: ${end}\r\n` +
    (custodian ? field('X-RSMF-Custodian', custodian) : '') +
    field('X-RSMF-Participants', manifest.participants.map((p) => p.email).join(', ')) +
    `X-RSMF-AttachmentCount: ${files.length}\r\n` +
    'X-RSMF-Application: WeCom\r\n' +
    field('X-RSMF-EventCollectionID', collectionId) +
    `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n`;
  // The parts' base64 as buffers (the zip holds the conversation's media): one string of it
  // all, cut by a regular expression, cost 6-10x as much.
  const bytes = Buffer.concat([
    Buffer.from(
      head + `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n`,
      'utf8',
    ),
    base64Lines(Buffer.from(text, 'utf8')),
    Buffer.from(
      `--${boundary}\r\nContent-Type: application/zip; name="${RSMF_ZIP_NAME}"\r\nContent-Disposition: attachment; filename="${RSMF_ZIP_NAME}"\r\nContent-Transfer-Encoding: base64\r\n\r\n`,
    ),
    base64Lines(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength)),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return { bytes, events: events.length };
}
