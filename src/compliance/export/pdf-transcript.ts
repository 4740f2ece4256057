/**
 * Renders one PDF transcript: the messages of a conversation (one custodian's copy), in time
 * order, for people who read rather than load. Each message shows its sender, its time in UTC
 * (the offset printed), its text, its attachments by name, size and SHA-256, and what it is
 * when it is not a plain message (recalled, a recall, a consent notice, an account switch).
 * Every page carries the case, the query and the export id, and its number. The bytes depend
 * only on the items (the creation date is the first message's), so a resumed export writes the
 * same file.
 */
import { createHash } from 'node:crypto';
import { create, type Font } from 'fontkit';
import libmime from 'libmime';
import PDFDocument from 'pdfkit';
import type { PdfFont } from './pdf-font.js';
import { eventType, type RsmfItem } from './rsmf-manifest.js';

export interface TranscriptMeta {
  /** e.g. `Regulator inquiry (case 3)`, or null for an export of a query alone */
  caseLabel: string | null;
  query: string | null;
  reviewSet: number | null;
  tags: string[];
  exportId: string;
  /** the file's own name, printed in every footer */
  fileName: string;
}

const MARGIN = 50;
const GRAY = '#555555';
const RED = '#b00020';

/** `2024-01-02 10:00:00 +00:00`: UTC, with the offset stated so no reader guesses a zone. */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} +00:00`;
}

function header(item: RsmfItem, name: string): string {
  const v = item.mail.headers.get(name.toLowerCase());
  const raw = typeof v === 'string' ? v : v === undefined ? '' : String(v);
  // mailparser leaves RFC 2047 encoded words in fields it does not know (Thread-Topic)
  try {
    return libmime.decodeWords(raw);
  } catch {
    return raw;
  }
}

/** The rendered text's separator between its header block and the message's content. */
const SEPARATOR = /^-{20,}$/m;

/**
 * What a reader of a transcript needs of a message's text: its content, without the block that
 * repeats the conversation, sender, recipients and time (the transcript shows those once).
 */
export function transcriptBody(text: string | undefined): string {
  const t = (text ?? '').trim();
  const m = SEPARATOR.exec(t);
  return (m ? t.slice(m.index + m[0].length) : t).trim();
}

/** What a message is when it is not a plain one, in words a reader needs no manual for. */
export function messageLabel(item: RsmfItem): string | null {
  if (item.recalledBy !== undefined) return 'RECALLED by the sender (the original text is kept below)';
  const action = header(item, 'X-WeChat-Action');
  if (item.msgtype === 'agree') return 'Consent: agreed to archiving';
  if (item.msgtype === 'disagree') return 'Consent: declined archiving';
  if (item.msgtype === 'revoke' || action === 'recall') return 'Recall of an earlier message';
  if (item.msgtype === 'switch' || action === 'switch') return 'Account switch';
  return eventType(item.msgtype, action) === 'message' ? null : item.msgtype;
}

function sender(item: RsmfItem): string {
  const a = item.mail.from?.value[0];
  if (!a) return item.fromId || 'unknown sender';
  return a.name ? `${a.name} <${a.address ?? ''}>` : (a.address ?? item.fromId);
}

/**
 * The font's face, parsed once for a whole export and given to every transcript: parsed anew for
 * each document (pdfkit's default for a font file), decoding the CJK font's tables and glyph
 * programs took about half of a PDF export's CPU. Each document still embeds its own subset.
 * A collection (.ttc) without a face named gives its first face.
 */
export function pdfFace(font: PdfFont): Font {
  const parsed = create(font.bytes, font.name);
  return 'fonts' in parsed ? parsed.fonts[0]! : parsed;
}

/** The PDF of `items` (one conversation, oldest first), in `face` (see pdfFace). */
export async function pdfTranscript(items: readonly RsmfItem[], meta: TranscriptMeta, face: Font): Promise<Buffer> {
  const first = items[0]!;
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    // fixed info: the file ID is derived from it, so the bytes are reproducible
    info: {
      Title: `${header(first, 'Thread-Topic') || first.mail.subject || 'Conversation'} (${meta.fileName})`,
      Creator: 'WeChat Archiver',
      Producer: 'WeChat Archiver',
      CreationDate: new Date(first.msgTime),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  // pdfkit takes a parsed face as well as a file (its types list only the file forms)
  doc.registerFont('cjk', face as unknown as Buffer);
  doc.font('cjk');
  const width = doc.page.width - 2 * MARGIN;

  // Title block
  const topic = header(first, 'Thread-Topic') || first.mail.subject || header(first, 'X-WeChat-Conversation');
  const group = header(first, 'X-WeChat-RoomId') !== '';
  const last = items[items.length - 1]!;
  doc.fontSize(15).fillColor('black').text(topic, { width });
  doc.moveDown(0.3);
  doc.fontSize(9).fillColor(GRAY);
  const facts: [string, string][] = [
    ['Conversation', `${header(first, 'X-WeChat-Conversation')} (${group ? 'group chat' : 'one-to-one chat'})`],
    ['Custodian', first.custodian ?? '-'],
    ['Messages', `${items.length}, ${utcTime(first.msgTime)} to ${utcTime(last.msgTime)}`],
    ['Case', meta.caseLabel ?? '-'],
    ['Query', meta.query ?? '-'],
    ...(meta.reviewSet !== null
      ? [
          ['Review set', `${meta.reviewSet}${meta.tags.length ? ` (tags: ${meta.tags.join(', ')})` : ''}`] as [
            string,
            string,
          ],
        ]
      : []),
    ['Export', meta.exportId],
    ['Times', 'UTC, shown with their offset (+00:00)'],
  ];
  for (const [k, v] of facts) doc.text(`${k}: ${v}`, { width });
  doc.moveDown(0.8);

  for (const it of items) {
    const label = messageLabel(it);
    doc
      .fontSize(8.5)
      .fillColor(GRAY)
      .text(`${utcTime(it.msgTime)}   ${it.controlNumber}`, { width });
    doc.fontSize(10).fillColor('black').text(sender(it), { width });
    if (label)
      doc
        .fontSize(9)
        .fillColor(it.recalledBy !== undefined ? RED : GRAY)
        .text(`[${label}]`, { width });
    const body = transcriptBody(it.mail.text);
    if (body) doc.fontSize(10).fillColor('black').text(body, { width, indent: 0 });
    for (const [i, a] of it.mail.attachments.entries()) {
      const sha = createHash('sha256').update(a.content).digest('hex');
      doc
        .fontSize(8.5)
        .fillColor(GRAY)
        .text(`Attachment: ${a.filename ?? `attachment-${i + 1}`} (${a.content.length} bytes, SHA-256 ${sha})`, {
          width,
        });
    }
    doc.moveDown(0.6);
  }

  // Running header and page numbers, once the page count is known.
  const range = doc.bufferedPageRange();
  const running = [meta.caseLabel ? `Case: ${meta.caseLabel}` : null, meta.query ? `Query: ${meta.query}` : null]
    .filter(Boolean)
    .join('  ·  ');
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const { height } = doc.page;
    doc.page.margins.top = 0;
    doc.page.margins.bottom = 0;
    doc.fontSize(7.5).fillColor(GRAY);
    doc.text(`${running || 'Export'}  ·  Export ${meta.exportId}`, MARGIN, 22, {
      width,
      lineBreak: false,
      ellipsis: true,
    });
    doc.text(`${meta.fileName}  ·  Page ${i - range.start + 1} of ${range.count}`, MARGIN, height - 32, {
      width,
      align: 'right',
      lineBreak: false,
    });
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
