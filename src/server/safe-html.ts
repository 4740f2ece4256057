/**
 * Defensive clean-up of an archived message's HTML before the console shows it. The body is
 * served with a CSP that forbids every script (`default-src 'none'` and `sandbox` without
 * allow-scripts) and shown in an `<iframe sandbox>`; this pass is the third layer, for a
 * browser or proxy that drops the first two. It keeps the ordinary mail markup our renderer
 * and mail clients produce (inline styles, tables, links, images) through an allow-list in
 * sanitize-html, so anything unknown is dropped rather than repaired.
 */
import sanitizeHtml from 'sanitize-html';

export interface SafeHtmlOptions {
  /**
   * A replacement for a URL attribute value (already entity-decoded), e.g. `cid:` references to
   * attachment URLs; undefined keeps the value when it is safe.
   */
  rewriteUrl?: (url: string) => string | undefined;
}

const TAGS = [
  ...sanitizeHtml.defaults.allowedTags,
  'img',
  'font',
  'center',
  'big',
  'small',
  'u',
  's',
  'strike',
  'address',
  'col',
  'colgroup',
];

const TABLE_ATTRS = ['width', 'height', 'border', 'cellpadding', 'cellspacing', 'align', 'valign', 'bgcolor'];

const BASE: sanitizeHtml.IOptions = {
  allowedTags: TAGS,
  allowedAttributes: {
    '*': ['style', 'title', 'lang', 'dir', 'class', 'align'],
    a: ['href', 'name', 'target', 'rel'],
    img: ['src', 'alt', 'width', 'height'],
    font: ['color', 'face', 'size'],
    table: TABLE_ATTRS,
    td: [...TABLE_ATTRS, 'colspan', 'rowspan', 'nowrap'],
    th: [...TABLE_ATTRS, 'colspan', 'rowspan', 'nowrap', 'scope'],
    tr: TABLE_ATTRS,
    col: ['span', 'width'],
    colgroup: ['span', 'width'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  // Inline images only as raster data: an SVG data URL could carry script in some viewers.
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'action'],
  allowProtocolRelative: false,
  // script, style, textarea and friends are removed with their content; other unknown tags lose
  // the tag but keep their text, so nothing a sender wrote disappears from view.
  disallowedTagsMode: 'discard',
  // The document's <title> would otherwise show as text above the body.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title'],
};

const RASTER_DATA = /^data:image\/(png|gif|jpeg|webp|bmp);/i;

export function safeHtml(input: string, opts: SafeHtmlOptions = {}): string {
  const rewrite = (url: string | undefined): string | undefined =>
    url === undefined ? undefined : (opts.rewriteUrl?.(url) ?? url);
  return sanitizeHtml(input, {
    ...BASE,
    transformTags: {
      a: (tagName, attribs) => {
        const href = rewrite(attribs.href);
        // Links leave the console in a new context that cannot reach back into it.
        const out: sanitizeHtml.Attributes = { ...attribs, rel: 'noopener noreferrer', target: '_blank' };
        if (href === undefined) delete out.href;
        else out.href = href;
        return { tagName, attribs: out };
      },
      img: (tagName, attribs) => {
        const src = rewrite(attribs.src);
        const out: sanitizeHtml.Attributes = { ...attribs };
        if (src === undefined || (src.toLowerCase().startsWith('data:') && !RASTER_DATA.test(src))) delete out.src;
        else out.src = src;
        return { tagName, attribs: out };
      },
    },
  });
}
