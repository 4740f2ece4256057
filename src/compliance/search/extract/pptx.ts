/**
 * Text of a PowerPoint presentation (.pptx): every slide in order, then the speaker notes,
 * each paragraph on its own line. Read from the slide XML parts (DrawingML `a:t` runs,
 * ECMA-376 Part 1, §21.1.2), which is all the text a presentation holds; no well-kept npm
 * library reads PowerPoint text on its own.
 */
import { byPartNumber, readZipParts } from './zip.js';
import { xmlText } from './xml-text.js';

const SLIDE = /^ppt\/slides\/slide(\d+)\.xml$/;
const NOTES = /^ppt\/notesSlides\/notesSlide(\d+)\.xml$/;
const OPTIONS = { text: new Set(['a:t']), lineBreak: new Set(['a:p']) };

export function pptxText(bytes: Uint8Array): string {
  const parts = readZipParts(bytes, (n) => SLIDE.test(n) || NOTES.test(n) || n === 'ppt/presentation.xml');
  if (!parts.has('ppt/presentation.xml')) throw new Error('no presentation part: not a PowerPoint file');
  const texts = [...byPartNumber(parts.keys(), SLIDE), ...byPartNumber(parts.keys(), NOTES)].map((n) =>
    xmlText(parts.get(n) ?? '', OPTIONS).trim(),
  );
  return texts.filter((t) => t).join('\n\n');
}
