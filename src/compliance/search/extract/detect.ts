/**
 * Which extractor reads a file. The bytes decide before the name does: a renamed file is read
 * as what it is, and a name alone never sends foreign bytes into a parser that cannot read
 * them. Office Open XML files are zips told apart by their main part's folder.
 */
import { unzipSync } from 'fflate';

/** Formats read in a worker thread; `legacy-office` is recognised but not read. */
export type BinaryFormat = 'pdf' | 'docx' | 'xlsx' | 'pptx' | 'legacy-office';

const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

function extensionOf(fileName: string): string {
  const m = /\.([a-z0-9]+)$/i.exec(fileName.trim());
  return m?.[1]?.toLowerCase() ?? '';
}

const OOXML_BY_EXTENSION: Record<string, BinaryFormat> = {
  docx: 'docx',
  docm: 'docx',
  dotx: 'docx',
  xlsx: 'xlsx',
  xlsm: 'xlsx',
  xltx: 'xlsx',
  pptx: 'pptx',
  pptm: 'pptx',
  ppsx: 'pptx',
};

/** The Office Open XML format of a zip, from the folder of its parts; undefined for other zips. */
function ooxmlFormat(bytes: Uint8Array): BinaryFormat | undefined {
  const names: string[] = [];
  try {
    // Only the directory is read: the filter refuses every entry, so nothing is inflated.
    unzipSync(bytes, {
      filter: (f) => {
        names.push(f.name);
        return false;
      },
    });
  } catch {
    return undefined;
  }
  if (names.some((n) => n.startsWith('word/'))) return 'docx';
  if (names.some((n) => n.startsWith('xl/'))) return 'xlsx';
  if (names.some((n) => n.startsWith('ppt/'))) return 'pptx';
  return undefined;
}

/** The binary format of a file, or undefined when no binary extractor applies. */
export function detectBinaryFormat(fileName: string, bytes: Uint8Array): BinaryFormat | undefined {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf'; // %PDF-
  if (startsWith(bytes, OLE_MAGIC)) return 'legacy-office'; // .doc, .xls, .ppt (OLE2 compound file)
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    const format = ooxmlFormat(bytes);
    if (format) return format;
  }
  // Bytes that are none of these but carry such a name are a damaged file of that kind: the
  // extractor for the name reports why it cannot read them.
  const ext = extensionOf(fileName);
  if (ext === 'pdf') return 'pdf';
  if (ext === 'doc' || ext === 'xls' || ext === 'ppt') return 'legacy-office';
  return OOXML_BY_EXTENSION[ext];
}
