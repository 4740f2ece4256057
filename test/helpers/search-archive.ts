/**
 * A sandbox tenant for the search and conversation tests: the generated traffic plus one group
 * chat written here (WeCom's decrypted message JSON, replayed through `--include`), whose
 * messages the tests know: a Chinese hit in the middle, an image that is a real PNG, an SVG
 * with script, an HTML page, a "photo" whose bytes are HTML, a Word document and a PDF whose
 * words occur nowhere else, and a message recalled later.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import { encodePng } from '../../src/sources/sandbox/image-formats.js';
import { makeDocx, makePdf } from './office-files.js';

export const ROOM = 'wrSearchDemoRoom0001';
/** Messages of the room before and after the hit. */
export const ROOM_TEXTS = 24;
export const HIT_INDEX = 11;
/** Occurs only in the hit (the generated traffic uses other words). */
export const HIT_QUERY = '保本保息';
export const HIT_MSGID = `room-msg-${HIT_INDEX}`;
export const RECALLED_MSGID = 'room-recalled';
export const PEOPLE = ['zhangsan', 'lisi'] as const;
const T0 = Date.UTC(2026, 0, 5, 1, 0, 0);

export const MEDIA = {
  png: { id: 'sdk-room-png', file: 'chart.png' },
  svg: { id: 'sdk-room-svg', file: 'evil.svg' },
  html: { id: 'sdk-room-html', file: 'page.html' },
  fakeImage: { id: 'sdk-room-fake', file: 'fake.jpg' },
  docx: { id: 'sdk-room-docx', file: '条款.docx' },
  pdf: { id: 'sdk-room-pdf', file: 'memo.pdf' },
} as const;

/** Words only inside the attachments: found only if their text was extracted and indexed. */
export const DOCX_WORDS = ['骆驼祥子条款', 'zanzibarquote'] as const;
export const PDF_WORD = 'xylophonequartz';

export const SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>';
export const HTML = '<!doctype html><html><body><script>alert(3)</script>hello</body></html>';

function base(i: number, msgid: string, from: string): Record<string, unknown> {
  return {
    msgid,
    action: 'send',
    from,
    tolist: PEOPLE.filter((p) => p !== from),
    roomid: ROOM,
    msgtime: T0 + i * 60_000,
  };
}

function file(i: number, msgid: string, m: { id: string; file: string }, size: number): Record<string, unknown> {
  return {
    ...base(i, msgid, 'lisi'),
    msgtype: 'file',
    file: { md5sum: '', filename: m.file, fileext: m.file.split('.').pop(), filesize: String(size), sdkfileid: m.id },
  };
}

/** Writes the tenant to `dir` (generated messages plus the room) and returns it. */
export async function writeSearchTenant(dir: string, generated = 120): Promise<string> {
  const mediaDir = join(dir, 'room-media');
  await mkdir(mediaDir, { recursive: true });
  const png = encodePng({ width: 4, height: 4, pixels: Buffer.alloc(4 * 4 * 3, 0x7f) });
  await writeFile(join(mediaDir, MEDIA.png.file), png);
  await writeFile(join(mediaDir, MEDIA.svg.file), SVG);
  await writeFile(join(mediaDir, MEDIA.html.file), HTML);
  await writeFile(join(mediaDir, MEDIA.fakeImage.file), HTML);
  const docx = makeDocx([`合同附件：${DOCX_WORDS[0]}`, `Clause ${DOCX_WORDS[1]} applies`]);
  const pdf = makePdf([['Quarterly memo', `keyword ${PDF_WORD} inside`]]);
  await writeFile(join(mediaDir, MEDIA.docx.file), docx);
  await writeFile(join(mediaDir, MEDIA.pdf.file), pdf);
  await writeFile(
    join(mediaDir, 'manifest.json'),
    JSON.stringify(Object.fromEntries(Object.values(MEDIA).map((m) => [m.id, m.file]))),
  );
  const lines: Record<string, unknown>[] = [];
  for (let i = 0; i < ROOM_TEXTS; i++) {
    const text = i === HIT_INDEX ? `客户问能不能${HIT_QUERY}，我说不能。` : `第${i}条：讨论季度计划 agenda item ${i}`;
    lines.push({ ...base(i, `room-msg-${i}`, PEOPLE[i % 2]!), msgtype: 'text', text: { content: text } });
  }
  let i = ROOM_TEXTS;
  lines.push({
    ...base(i++, 'room-png', 'zhangsan'),
    msgtype: 'image',
    image: { md5sum: '', filesize: png.length, sdkfileid: MEDIA.png.id },
  });
  lines.push({
    ...base(i++, 'room-fake', 'zhangsan'),
    msgtype: 'image',
    image: { md5sum: '', filesize: HTML.length, sdkfileid: MEDIA.fakeImage.id },
  });
  lines.push(file(i++, 'room-svg', MEDIA.svg, SVG.length));
  lines.push(file(i++, 'room-html', MEDIA.html, HTML.length));
  lines.push(file(i++, 'room-docx', MEDIA.docx, docx.length));
  lines.push(file(i++, 'room-pdf', MEDIA.pdf, pdf.length));
  lines.push({ ...base(i++, RECALLED_MSGID, 'lisi'), msgtype: 'text', text: { content: '这条消息会被撤回' } });
  lines.push({
    ...base(i++, 'room-revoke', 'lisi'),
    action: 'recall',
    msgtype: 'revoke',
    revoke: { pre_msgid: RECALLED_MSGID },
  });
  const include = join(dir, 'room.jsonl');
  await writeFile(include, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const out = join(dir, 'tenant');
  await generateTenant({ outDir: out, seed: 11, messages: generated, include, mediaDir });
  return out;
}

/** Messages the room holds in all. */
export const ROOM_MESSAGES = ROOM_TEXTS + 8;
