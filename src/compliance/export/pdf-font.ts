/**
 * The CJK font of PDF transcripts. PDF's standard fonts have no Chinese glyphs, so a font file
 * is embedded (subset to the glyphs used: a transcript carries kilobytes, not Noto's 20 MB).
 * Taken from `export.pdfFont` when set, else from the Debian packages' usual paths.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ArchiverError } from '../../core/errors.js';

export interface PdfFont {
  path: string;
  /** the face in a collection (.ttc), by PostScript name */
  name?: string;
  bytes: Buffer;
}

/** Searched in order when `export.pdfFont` is not set; each with the face to take from a collection. */
export const DEFAULT_PDF_FONTS: readonly { path: string; name?: string }[] = [
  // fonts-noto-cjk
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', name: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', name: 'NotoSerifCJKsc-Regular' },
  // fonts-wqy-zenhei, fonts-wqy-microhei
  { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', name: 'WenQuanYiZenHei' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', name: 'WenQuanYiMicroHei' },
  // fonts-arphic-uming
  { path: '/usr/share/fonts/truetype/arphic/uming.ttc' },
];

export interface PdfFontSetting {
  pdfFont?: string | undefined;
  pdfFontName?: string | undefined;
}

/** The font to embed, read once per export; a clear error when there is none. */
export async function loadPdfFont(setting: PdfFontSetting = {}, candidates = DEFAULT_PDF_FONTS): Promise<PdfFont> {
  if (setting.pdfFont) {
    try {
      const bytes = await readFile(setting.pdfFont);
      return { path: setting.pdfFont, ...(setting.pdfFontName ? { name: setting.pdfFontName } : {}), bytes };
    } catch (err) {
      throw new ArchiverError(
        'WXA_FONT_MISSING',
        `export.pdfFont: cannot read ${setting.pdfFont} (${(err as Error).message}); set it to a font file with Chinese glyphs, or remove it to use fonts-noto-cjk`,
        { cause: err },
      );
    }
  }
  const found = candidates.find((c) => existsSync(c.path));
  if (!found)
    throw new ArchiverError(
      'WXA_FONT_MISSING',
      `PDF export needs a font with Chinese glyphs and none was found (looked for ${candidates.map((c) => c.path).join(', ')}): install the Debian package fonts-noto-cjk (apt-get install fonts-noto-cjk), or set export.pdfFont in the config to a .ttf/.otf/.ttc file`,
    );
  const name = setting.pdfFontName ?? found.name;
  return { path: found.path, ...(name ? { name } : {}), bytes: await readFile(found.path) };
}
