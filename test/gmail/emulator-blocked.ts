// Gmail's blocked attachment types, as the emulator's import applies them. Google refuses
// "file types are blocked" attachments, including inside archives ("Some file types are
// blocked", https://support.google.com/mail/answer/6590). The list is Google's as quoted in
// buttondown/roadmap issue 2543 (2024). Kept apart from the client's own copy on purpose: the
// emulator stands for Google, so a client whose list drifts fails against it.
// The refusal's shape is what Gmail API users report for users.messages.import
// (YoRyan/turbogmailify issue 45): 400 "Invalid attachment. Please check
// https://support.google.com/mail/answer/6590.", reason invalidArgument. Assumed: only ZIP
// archives are opened (one level), and a part's name comes from its Content-Disposition
// filename or Content-Type name.
import libmime from 'libmime';
import type { Answer } from './emulator-auth.js';
import { gerr } from './emulator-mail.js';

export const BLOCKED_EXTENSIONS = new Set(
  (
    'ade adp apk appx appxbundle bat cab chm cmd com cpl diagcab diagcfg diagpack dll dmg ex ex_ exe hta img ins ' +
    'iso isp jar jnlp js jse lib lnk mde mjs msc msi msix msixbundle msp mst nsh pif ps1 scr sct shb sys vb vbe vbs ' +
    'vhd vxd wsc wsf wsh xll'
  ).split(' '),
);

export function blockedName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && BLOCKED_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

/** Names in a ZIP's central directory (signature PK\x01\x02; name length at +28, name at +46). */
export function zipNames(zip: Buffer): string[] {
  const names: string[] = [];
  for (let i = zip.indexOf('PK\x01\x02', 0, 'latin1'); i >= 0; i = zip.indexOf('PK\x01\x02', i + 4, 'latin1')) {
    if (i + 46 > zip.length) break;
    const len = zip.readUInt16LE(i + 28);
    names.push(zip.subarray(i + 46, i + 46 + len).toString('utf8'));
  }
  return names;
}

interface Part {
  name: string | undefined;
  base64: boolean;
  body: string;
}

/** The leaf parts of a MIME message with their file names, found by their delimiter lines. */
function partsOf(raw: Buffer): Part[] {
  const text = raw.toString('latin1');
  const delimiters = [...text.matchAll(/\r\n--[^\r\n]*\r\n/g)].map((m) => ({ at: m.index, len: m[0].length }));
  const out: Part[] = [];
  delimiters.forEach((d, i) => {
    const start = d.at + d.len;
    const end = delimiters[i + 1]?.at ?? text.length;
    const chunk = text.slice(start, end);
    const split = chunk.indexOf('\r\n\r\n');
    if (split < 0) return;
    const headers = chunk.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
    let name: string | undefined;
    for (const line of headers.split('\r\n')) {
      const m = /^(content-disposition|content-type):(.*)$/i.exec(line);
      if (!m?.[2]) continue;
      const params = libmime.parseHeaderValue(m[2]).params as Record<string, string | undefined>;
      const found = params.filename ?? params.name;
      if (found) name = libmime.decodeWords(Buffer.from(found, 'latin1').toString('utf8'));
    }
    out.push({ name, base64: /content-transfer-encoding:\s*base64/i.test(headers), body: chunk.slice(split + 4) });
  });
  return out;
}

/** The refusal for a message carrying a blocked file (directly or in a ZIP), or undefined. */
export function blockedAttachment(raw: Buffer): Answer | undefined {
  for (const p of partsOf(raw)) {
    if (!p.name) continue;
    let blocked = blockedName(p.name);
    if (!blocked && p.name.toLowerCase().endsWith('.zip') && p.base64) {
      blocked = zipNames(Buffer.from(p.body.replace(/\s+/g, ''), 'base64')).some(blockedName);
    }
    if (blocked) {
      return gerr(
        400,
        'Invalid attachment. Please check https://support.google.com/mail/answer/6590.',
        'invalidArgument',
        'INVALID_ARGUMENT',
      );
    }
  }
  return undefined;
}
