/** The `export` section: where the PDF transcripts' CJK font is found. */
import { z } from 'zod';

export const exportSchema = z
  .object({
    pdfFont: z
      .string()
      .optional()
      .describe(
        'PDF transcripts: a TrueType/OpenType font file (.ttf, .otf, .ttc) with Chinese glyphs; relative to the config file. Default: the first of Noto Sans CJK and WenQuanYi found in /usr/share/fonts (Debian: apt-get install fonts-noto-cjk).',
      ),
    pdfFontName: z
      .string()
      .optional()
      .describe(
        'With a font collection (.ttc): the PostScript name of the face to use, e.g. NotoSansCJKsc-Regular (default: the Simplified Chinese face of the default fonts, else the first face).',
      ),
  })
  .default({})
  .describe('Exports: the font of PDF transcripts (only the glyphs used are embedded).');
