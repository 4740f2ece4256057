import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRow, datRow, loadValues, type LoadRow } from './load-file.js';

/** A value of a DAT row as the format wants it, written plainly: no quote character, line ends as ®. */
const datValue = (x: string): string => '\u00fe' + x.replace(/\u00fe/g, '').replace(/\r\n|\r|\n/g, '\u00ae') + '\u00fe';

/** Strings with the characters that need care in either load file. */
const value = fc.string({
  unit: fc.constantFrom('a', '中', ' ', ',', '"', ';', '\r', '\n', '\u00fe', '\u00ae', '\u0014'),
  maxLength: 12,
});

const row = fc.record<LoadRow>({
  controlNumber: value,
  custodians: fc.array(value, { maxLength: 3 }),
  from: value,
  to: value,
  dateSent: value,
  subject: value,
  conversation: value,
  msgtype: value,
  itemKey: value,
  msgid: value,
  filePath: value,
  sha256: value,
  tags: fc.array(value, { maxLength: 3 }),
});

describe('load file rows', () => {
  it('DAT: every value quoted with þ, a þ inside dropped, every line end (CRLF, CR or LF) written as ®', () => {
    fc.assert(
      fc.property(row, (r) => {
        expect(datRow(r)).toBe(loadValues(r).map(datValue).join('\u0014') + '\r\n');
      }),
    );
  });

  it('CSV: a value with a comma, quote or line end quoted, its quotes doubled; the row splits back into its values', () => {
    fc.assert(
      fc.property(row, (r) => {
        const line = csvRow(r);
        expect(line.endsWith('\r\n')).toBe(true);
        const back: string[] = [];
        const re = /("(?:[^"]|"")*"|[^,"]*)(,|\r\n$)/gy;
        for (let m = re.exec(line); m; m = re.exec(line)) {
          const v = m[1]!;
          back.push(v.startsWith('"') ? v.slice(1, -1).replace(/""/g, '"') : v);
          if (m[2] !== ',') break;
        }
        expect(back).toEqual(loadValues(r));
      }),
    );
  });
});
