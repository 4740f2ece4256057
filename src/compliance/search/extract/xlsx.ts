/**
 * Text of an Excel workbook (.xlsx): sheet names, then every sheet's cells row by row (tab
 * between cells, a line per row), shared strings resolved, numbers and formula results as
 * Excel stored them. Read straight from the workbook's XML parts (ECMA-376 Part 1, §18.3),
 * because the JavaScript spreadsheet libraries are either no longer published on npm
 * (SheetJS) or build a full object model of every cell (exceljs) where only text is wanted.
 */
import { SaxesParser } from 'saxes';
import { byPartNumber, readZipParts } from './zip.js';
import { xmlTextsOf } from './xml-text.js';

const SHEET = /^xl\/worksheets\/sheet(\d+)\.xml$/;
const TEXT = new Set(['t']);

/** The cells of one sheet as lines of tab-separated values. */
function sheetText(xml: string, shared: readonly string[]): string {
  const parser = new SaxesParser();
  const lines: string[] = [];
  let row: string[] = [];
  let cellType = '';
  let value: string[] | undefined;
  let inValue = false;
  parser.on('doctype', () => {
    throw new Error('a DOCTYPE in a worksheet is not allowed');
  });
  parser.on('opentag', (tag) => {
    if (tag.name === 'c') {
      cellType = String(tag.attributes.t ?? '');
      value = [];
    } else if (tag.name === 'v' || tag.name === 't') inValue = true;
  });
  parser.on('text', (t) => {
    if (inValue && value) value.push(t);
  });
  parser.on('closetag', (tag) => {
    if (tag.name === 'v' || tag.name === 't') inValue = false;
    else if (tag.name === 'c' && value) {
      const raw = value.join('');
      const text = cellType === 's' ? (shared[Number(raw)] ?? '') : raw;
      if (text) row.push(text);
      value = undefined;
    } else if (tag.name === 'row') {
      if (row.length > 0) lines.push(row.join('\t'));
      row = [];
    }
  });
  parser.write(xml).close();
  return lines.join('\n');
}

export function xlsxText(bytes: Uint8Array): string {
  const parts = readZipParts(bytes, (n) => n === 'xl/sharedStrings.xml' || n === 'xl/workbook.xml' || SHEET.test(n));
  const shared = xmlTextsOf(parts.get('xl/sharedStrings.xml') ?? '<sst/>', 'si', TEXT);
  const names = parts.has('xl/workbook.xml') ? sheetNames(parts.get('xl/workbook.xml') ?? '') : [];
  const sheets = byPartNumber(parts.keys(), SHEET).map((n) => sheetText(parts.get(n) ?? '', shared));
  if (!parts.has('xl/workbook.xml') && sheets.length === 0) throw new Error('no workbook part: not an Excel file');
  return [names.join('\n'), ...sheets].filter((s) => s).join('\n\n');
}

function sheetNames(xml: string): string[] {
  const parser = new SaxesParser();
  const names: string[] = [];
  parser.on('doctype', () => {
    throw new Error('a DOCTYPE in a workbook is not allowed');
  });
  parser.on('opentag', (tag) => {
    if (tag.name === 'sheet' && typeof tag.attributes.name === 'string') names.push(tag.attributes.name);
  });
  parser.write(xml).close();
  return names;
}
