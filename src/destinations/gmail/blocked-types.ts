/**
 * Gmail refuses messages that carry some file types, even inside archives ("Some file types
 * are blocked", https://support.google.com/mail/answer/6590), answering an import with 400
 * "Invalid attachment". The refusal does not say which file, so this list decides which
 * attachments the partial copy leaves out. APK files are common in WeChat chats.
 */
import type { RenderedItem } from '../types.js';

/** Google's published list (answer 6590). */
export const GMAIL_BLOCKED_EXTENSIONS: ReadonlySet<string> = new Set(
  (
    'ade adp apk appx appxbundle bat cab chm cmd com cpl diagcab diagcfg diagpack dll dmg ex ex_ exe hta img ins ' +
    'iso isp jar jnlp js jse lib lnk mde mjs msc msi msix msixbundle msp mst nsh pif ps1 scr sct shb sys vb vbe vbs ' +
    'vhd vxd wsc wsf wsh xll'
  ).split(' '),
);

export function isBlockedName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && GMAIL_BLOCKED_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

/**
 * File names in a ZIP archive's central directory (record signature PK\x01\x02, name length
 * at offset 28, name at 46; APPNOTE.TXT 4.3.12). Read by hand: only the names are needed, and
 * a corrupt archive just yields fewer names.
 */
export function zipEntryNames(zip: Buffer): string[] {
  const names: string[] = [];
  const sig = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let i = zip.indexOf(sig); i >= 0 && i + 46 <= zip.length; i = zip.indexOf(sig, i + 4)) {
    names.push(zip.subarray(i + 46, i + 46 + zip.readUInt16LE(i + 28)).toString('utf8'));
  }
  return names;
}

/** Whether Gmail would refuse this attachment: a blocked type, or a ZIP holding one. */
export function isBlockedAttachment(name: string, bytes: Buffer): boolean {
  if (isBlockedName(name)) return true;
  return name.toLowerCase().endsWith('.zip') && zipEntryNames(bytes).some(isBlockedName);
}

/**
 * Indexes of the item's attachments Gmail refuses. When none is on the list (Google's list
 * grew), every attachment is left out: the archive keeps them and the note names each one.
 */
export function blockedAttachments(item: RenderedItem): number[] {
  const withBytes = item.attachments.flatMap((a, i) => (a.bytes ? [{ i, name: a.ref.filename, bytes: a.bytes }] : []));
  const listed = withBytes.filter((a) => isBlockedAttachment(a.name, a.bytes)).map((a) => a.i);
  return listed.length > 0 ? listed : withBytes.map((a) => a.i);
}
