/**
 * The text of an Office XML part, through saxes (the streaming XML parser jsdom uses): the
 * characters inside the text elements (`w:t`, `a:t`, `t`), with a line break after each
 * paragraph or row, so that words of different paragraphs never run together in the index.
 * Entities are decoded by the parser; DOCTYPEs are refused (no entity expansion attacks).
 */
import { SaxesParser } from 'saxes';

export interface XmlTextOptions {
  /** qualified names of the elements whose characters are text */
  text: ReadonlySet<string>;
  /** elements after which a line break goes */
  lineBreak: ReadonlySet<string>;
  /** elements after which a tab goes (cells of a row) */
  tab?: ReadonlySet<string>;
}

export function xmlText(xml: string, opts: XmlTextOptions): string {
  const parser = new SaxesParser();
  const out: string[] = [];
  let depthInText = 0;
  parser.on('doctype', () => {
    throw new Error('a DOCTYPE in an Office part is not allowed');
  });
  parser.on('opentag', (tag) => {
    if (opts.text.has(tag.name)) depthInText += 1;
  });
  parser.on('text', (t) => {
    if (depthInText > 0) out.push(t);
  });
  parser.on('closetag', (tag) => {
    if (opts.text.has(tag.name)) depthInText -= 1;
    else if (opts.lineBreak.has(tag.name)) out.push('\n');
    else if (opts.tab?.has(tag.name)) out.push('\t');
  });
  parser.write(xml).close();
  return out.join('');
}

/** Each element `name`'s text in document order (e.g. the `si` entries of a shared-string table). */
export function xmlTextsOf(xml: string, name: string, text: ReadonlySet<string>): string[] {
  const parser = new SaxesParser();
  const out: string[] = [];
  let current: string[] | undefined;
  let depthInText = 0;
  parser.on('doctype', () => {
    throw new Error('a DOCTYPE in an Office part is not allowed');
  });
  parser.on('opentag', (tag) => {
    if (tag.name === name) current = [];
    else if (text.has(tag.name)) depthInText += 1;
  });
  parser.on('text', (t) => {
    if (current && depthInText > 0) current.push(t);
  });
  parser.on('closetag', (tag) => {
    if (tag.name === name && current) {
      out.push(current.join(''));
      current = undefined;
    } else if (text.has(tag.name)) depthInText -= 1;
  });
  parser.write(xml).close();
  return out;
}
