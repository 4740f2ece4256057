/**
 * Reads one field of WeCom's callback XML. The documents are flat and fixed (`<xml>` with a
 * few children, values plain or in CDATA), so a field lookup does the job without an XML
 * parser dependency. It scans linearly (no backtracking regex on outside input) and never
 * evaluates entities or DTDs, so a hostile body can neither stall nor expand.
 */

const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';

/** The text of the first `<name>` element, CDATA unwrapped; undefined when absent or not flat. */
export function xmlField(xml: string, name: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new RangeError(`not an XML element name: ${name}`);
  const open = `<${name}>`;
  const close = `</${name}>`;
  const at = xml.indexOf(open);
  if (at < 0) return undefined;
  let i = at + open.length;
  while (i < xml.length && /\s/.test(xml[i] as string)) i++;

  let value: string;
  let rest: number;
  if (xml.startsWith(CDATA_OPEN, i)) {
    const end = xml.indexOf(CDATA_CLOSE, i + CDATA_OPEN.length);
    if (end < 0) return undefined;
    value = xml.slice(i + CDATA_OPEN.length, end);
    rest = end + CDATA_CLOSE.length;
  } else {
    const end = xml.indexOf('<', i);
    if (end < 0) return undefined;
    value = xml.slice(i, end).trim();
    rest = end;
  }
  while (rest < xml.length && /\s/.test(xml[rest] as string)) rest++;
  return xml.startsWith(close, rest) ? value : undefined;
}
