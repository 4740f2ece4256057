/**
 * Reading the parts of an Office Open XML file (a zip) with fflate, bounded: the sizes the zip
 * declares are checked before anything is inflated, so a zip bomb is refused without being
 * unpacked, and only the parts an extractor asks for are inflated at all.
 */
import { strFromU8, unzipSync } from 'fflate';
import { ExtractLimitError, MAX_UNPACKED_BYTES } from './limits.js';

/** The wanted parts of a zip as text (UTF-8), by name. Throws on a damaged zip or over the bound. */
export function readZipParts(
  bytes: Uint8Array,
  wanted: (name: string) => boolean,
  maxUnpacked = MAX_UNPACKED_BYTES,
): Map<string, string> {
  let total = 0;
  const parts = unzipSync(bytes, {
    filter: (f) => {
      if (!wanted(f.name)) return false;
      total += f.originalSize;
      if (total > maxUnpacked) {
        throw new ExtractLimitError(`unpacks to more than ${Math.round(maxUnpacked / 1048576)} MiB`);
      }
      return true;
    },
  });
  const out = new Map<string, string>();
  for (const [name, data] of Object.entries(parts)) {
    // The declared size may lie; the inflated one is what counts.
    if (data.length > maxUnpacked) throw new ExtractLimitError(`part ${name} unpacks beyond its declared size`);
    out.set(name, strFromU8(data));
  }
  return out;
}

/** Numbered parts (`ppt/slides/slide12.xml`) in their number order, not the zip's. */
export function byPartNumber(names: Iterable<string>, pattern: RegExp): string[] {
  const num = (n: string): number => Number(pattern.exec(n)?.[1] ?? 0);
  return [...names].filter((n) => pattern.test(n)).sort((a, b) => num(a) - num(b));
}

/** Throws when the zip's parts declare more than `maxUnpacked` bytes in all; inflates nothing. */
export function checkUnpackedSize(bytes: Uint8Array, maxUnpacked = MAX_UNPACKED_BYTES): void {
  let total = 0;
  unzipSync(bytes, {
    filter: (f) => {
      total += f.originalSize;
      if (total > maxUnpacked) {
        throw new ExtractLimitError(`unpacks to more than ${Math.round(maxUnpacked / 1048576)} MiB`);
      }
      return false;
    },
  });
}
