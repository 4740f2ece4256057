/**
 * Defensive clean-up of an archived message's HTML before the console shows it. The body comes
 * from outside senders, so it is served with a CSP that forbids every script (`default-src
 * 'none'` and `sandbox` without allow-scripts) and shown in an `<iframe sandbox>`; this pass is
 * the third layer, for a browser or proxy that drops the first two: it removes scripts, event
 * handler attributes, embedded frames and objects, and every URL whose scheme is not known safe.
 *
 * Written here because no HTML sanitiser is a dependency of the project; it follows the HTML
 * tokenizer's rules for where a tag starts and ends (quoted attributes, raw-text elements,
 * comments) so that the browser reads the output exactly as it was checked, and it drops
 * rather than repairs anything it cannot read that way.
 */

/** Removed together with everything up to their end tag: code, frames, foreign (SVG/MathML) content. */
const DROP_WITH_CONTENT = new Set([
  'script',
  'noscript',
  'iframe',
  'noembed',
  'noframes',
  'object',
  'applet',
  'svg',
  'math',
]);

/** Removed as tags (their content, if any, stays and is cleaned like the rest). */
const DROP_TAG = new Set([
  'embed',
  'param',
  'frame',
  'frameset',
  'base',
  'link',
  'form',
  'input',
  'button',
  'select',
  'option',
  'textarea',
  'keygen',
  'plaintext',
  'portal',
]);

/** Raw-text elements kept as they are: their content is not markup, up to `</name`. */
const RAW_TEXT = new Set(['style', 'title', 'xmp']);

/** Attributes whose value is a URL (or a list of them). */
const URL_ATTRS = new Set([
  'href',
  'src',
  'srcset',
  'action',
  'formaction',
  'background',
  'poster',
  'lowsrc',
  'dynsrc',
  'data',
  'codebase',
  'cite',
  'longdesc',
  'usemap',
  'ping',
  'xlink:href',
]);

const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'tel']);
const SAFE_DATA_IMAGE = /^data:image\/(png|gif|jpeg|webp|bmp);/i;
const NAME = /^[a-z][a-z0-9-]*$/i;
const ATTR_NAME = /^[a-z_:][a-z0-9_:.-]*$/i;

export interface SafeHtmlOptions {
  /**
   * A replacement for a URL attribute value (already entity-decoded), e.g. `cid:` references to
   * attachment URLs; undefined keeps the value when it is safe.
   */
  rewriteUrl?: (url: string) => string | undefined;
}

/** Numeric character references and the named ones used to hide a scheme (`java&Tab;script&colon;`). */
function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|colon|tab|newline|amp|quot|apos|lpar|rpar|sol|period);?/gi, (_m, e) => {
    const ent = String(e).toLowerCase();
    if (ent.startsWith('#x')) return String.fromCodePoint(Math.min(parseInt(ent.slice(2), 16), 0x10ffff));
    if (ent.startsWith('#')) return String.fromCodePoint(Math.min(parseInt(ent.slice(1), 10), 0x10ffff));
    const named: Record<string, string> = {
      colon: ':',
      tab: '\t',
      newline: '\n',
      amp: '&',
      quot: '"',
      apos: "'",
      lpar: '(',
      rpar: ')',
      sol: '/',
      period: '.',
    };
    return named[ent] ?? '';
  });
}

/** Whether a decoded URL may stay: relative, or an allowed scheme; data: only for images in src. */
function urlAllowed(url: string, attr: string): boolean {
  // Browsers drop tabs and newlines anywhere in a URL (`jav\tascript:`); other whitespace and
  // controls are removed too, which can only refuse more.
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const compact = url.replace(/[\u0000-\u0020\u007f-\u009f]+/g, '');
  // A scheme can only come before the first `/`, `?` or `#`.
  const head = compact.split(/[/?#]/, 1)[0] ?? '';
  const colon = head.indexOf(':');
  if (colon < 0) return true;
  const scheme = head.slice(0, colon).toLowerCase();
  // Anything else before the colon (an entity this pass does not decode, say) is refused rather than guessed.
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) return false;
  if (scheme === 'data') return attr === 'src' && SAFE_DATA_IMAGE.test(compact);
  return SAFE_SCHEMES.has(scheme);
}

interface Attr {
  name: string;
  /** raw (still entity-encoded) value; undefined for a bare attribute */
  value: string | undefined;
}

interface Tag {
  name: string;
  end: boolean;
  attrs: Attr[];
  /** index just after the closing `>` */
  next: number;
}

/** Reads a tag that starts at `<` at `start`, as the HTML tokenizer does; null when the input ends inside it. */
function readTag(html: string, start: number): Tag | null {
  let i = start + 1;
  const end = html[i] === '/';
  if (end) i++;
  const nameStart = i;
  while (i < html.length && !/[\s/>]/.test(html[i]!)) i++;
  const name = html.slice(nameStart, i).toLowerCase();
  const attrs: Attr[] = [];
  while (i < html.length) {
    while (i < html.length && /[\s/]/.test(html[i]!)) i++;
    if (i >= html.length) return null;
    if (html[i] === '>') return { name, end, attrs, next: i + 1 };
    const attrStart = i;
    i++; // the first character may be `=`
    while (i < html.length && !/[\s/>=]/.test(html[i]!)) i++;
    const attrName = html.slice(attrStart, i).toLowerCase();
    while (i < html.length && /\s/.test(html[i]!)) i++;
    if (html[i] !== '=') {
      attrs.push({ name: attrName, value: undefined });
      continue;
    }
    i++;
    while (i < html.length && /\s/.test(html[i]!)) i++;
    const quote = html[i];
    let value: string;
    if (quote === '"' || quote === "'") {
      const close = html.indexOf(quote, i + 1);
      if (close < 0) return null;
      value = html.slice(i + 1, close);
      i = close + 1;
    } else {
      const valueStart = i;
      while (i < html.length && !/[\s>]/.test(html[i]!)) i++;
      value = html.slice(valueStart, i);
    }
    attrs.push({ name: attrName, value });
  }
  return null;
}

function cleanAttrs(tag: Tag, opts: SafeHtmlOptions): string {
  let out = '';
  const seen = new Set<string>();
  for (const a of tag.attrs) {
    const name = a.name;
    if (!ATTR_NAME.test(name) || seen.has(name) || name.startsWith('on') || name === 'srcdoc') continue;
    if (name === 'http-equiv' || name === 'formaction') continue;
    let value = a.value;
    if (value !== undefined && URL_ATTRS.has(name)) {
      const decoded = decodeEntities(value).trim();
      const rewritten = opts.rewriteUrl?.(decoded);
      if (rewritten !== undefined) value = rewritten.replace(/&/g, '&amp;');
      else if (!urlAllowed(decoded, name)) continue;
    }
    if (
      value !== undefined &&
      name === 'style' &&
      /expression\s*\(|javascript:|behavior\s*:|-moz-binding/i.test(value)
    ) {
      continue;
    }
    seen.add(name);
    out += value === undefined ? ` ${name}` : ` ${name}="${value.replace(/"/g, '&quot;')}"`;
  }
  return out;
}

/** Index of the `</name` that ends a raw-text element's content, or the input's end. */
function rawTextEnd(html: string, from: number, name: string): number {
  const re = new RegExp(`</${name}[\\s/>]`, 'ig');
  re.lastIndex = from;
  const m = re.exec(html);
  return m ? m.index : html.length;
}

/** The HTML with scripts, handlers, frames and unsafe URLs removed. */
export function safeHtml(input: string, opts: SafeHtmlOptions = {}): string {
  // A NUL is never markup; browsers show it as U+FFFD or drop it.
  const html = input.replaceAll('\u0000', '\ufffd');
  let out = '';
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, lt);
    const c = html[lt + 1] ?? '';
    if (html.startsWith('<!--', lt)) {
      // Comments are dropped whole (old IE ran conditional comments); an unclosed one runs to the end.
      const close = html.indexOf('-->', lt + 4);
      i = close < 0 ? html.length : close + 3;
      continue;
    }
    if (c === '!' || c === '?' || (c === '/' && !/[a-z]/i.test(html[lt + 2] ?? ''))) {
      // Doctype, CDATA, processing instructions and bogus comments all end at the next `>`.
      const close = html.indexOf('>', lt);
      if (/^<!doctype/i.test(html.slice(lt, lt + 9))) out += '<!DOCTYPE html>';
      i = close < 0 ? html.length : close + 1;
      continue;
    }
    if (!/[a-z/]/i.test(c)) {
      out += '&lt;';
      i = lt + 1;
      continue;
    }
    const tag = readTag(html, lt);
    if (!tag) break; // the input ends inside a tag: the browser would drop it too
    i = tag.next;
    if (!NAME.test(tag.name) || DROP_TAG.has(tag.name)) continue;
    if (tag.name === 'meta') {
      // Only the charset survives (refresh and CSP overrides must not), and the body is served as UTF-8.
      if (!tag.end && tag.attrs.some((a) => a.name === 'charset')) out += '<meta charset="utf-8">';
      continue;
    }
    if (DROP_WITH_CONTENT.has(tag.name)) {
      if (tag.end) continue;
      const stop = rawTextEnd(html, i, tag.name);
      const close = html.indexOf('>', stop);
      i = close < 0 ? html.length : close + 1;
      continue;
    }
    if (tag.end) {
      out += `</${tag.name}>`;
      continue;
    }
    out += `<${tag.name}${cleanAttrs(tag, opts)}>`;
    if (RAW_TEXT.has(tag.name)) {
      const stop = rawTextEnd(html, i, tag.name);
      out += html.slice(i, stop);
      i = stop;
    }
  }
  return out;
}
