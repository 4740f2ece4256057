// The defensive HTML pass: known script vectors removed, ordinary mail markup kept, and for any
// input no tag in the output that could run code.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeHtml } from './safe-html.js';

/** Every start tag of the output with its attributes, read the way a browser would. */
function startTags(html: string): string[] {
  return html.match(/<[a-z][^>]*>/gi) ?? [];
}

function assertInert(out: string): void {
  expect(out).not.toMatch(/<(script|iframe|object|embed|svg|math|base|form|frame)[\s/>]/i);
  for (const tag of startTags(out)) {
    expect(tag).not.toMatch(/\son[a-z]*\s*=/i);
    expect(tag).not.toMatch(/\s(href|src|action|srcdoc|formaction)\s*=\s*"\s*(javascript|vbscript|data:text)/i);
  }
}

describe('safeHtml', () => {
  it.each([
    ['<p>hi<script>alert(1)</script></p>', '<p>hi</p>'],
    ['<SCRIPT src=//evil>x</SCRIPT >after', 'after'],
    ['<img src=x onerror=alert(1)>', '<img src="x">'],
    ['<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="java&#x09;script:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="jav&#97;script&colon;alert(1)">x</a>', '<a>x</a>'],
    ['<a href=" JAVASCRIPT:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="vbscript:x">x</a>', '<a>x</a>'],
    ['<a href="data:text/html,<script>alert(1)</script>">x</a>', '<a>x</a>'],
    ['<iframe src="https://evil"></iframe>ok', 'ok'],
    ['<svg><style><img src=x onerror=alert(1)></style></svg>ok', 'ok'],
    ['<noscript><p title="</noscript><img src=x onerror=alert(1)>">', '<img src="x">">'],
    ['<body onload="x()"><p>t</p></body>', '<body><p>t</p></body>'],
    ['<meta http-equiv="refresh" content="0;url=https://evil"><p>t', '<p>t'],
    ['<meta charset="gb2312">', '<meta charset="utf-8">'],
    ['<!--[if IE]><script>x</script><![endif]-->t', 't'],
    ['<form action="https://evil"><input name=p></form>', ''],
    ['<base href="https://evil/">', ''],
    ['<div style="width:expression(alert(1))">x</div>', '<div>x</div>'],
    ['<a href="/rel?a=1&amp;b=2">x</a>', '<a href="/rel?a=1&amp;b=2">x</a>'],
    ['text <img src="x" unclosed', 'text '],
  ])('%s', (input, expected) => {
    const out = safeHtml(input);
    expect(out).toBe(expected);
    assertInert(out);
  });

  it('keeps ordinary mail markup, inline styles and safe links', () => {
    const html =
      '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>A &amp; B</title>' +
      '<style>p{color:red}</style></head><body style="margin:0"><h1>Hi</h1>' +
      '<table><tr><th>From</th><td><a href="https://example.com/x?y=1">link</a> ' +
      '<a href="mailto:a@b.c">mail</a></td></tr></table><br/><img src="data:image/png;base64,AAAA"></body></html>';
    expect(safeHtml(html)).toBe(html.replace('<br/>', '<br>'));
  });

  it('keeps a raw-text element raw, so a tag inside it stays text', () => {
    const out = safeHtml('<style>a::after{content:"<img src=x onerror=alert(1)>"}</style><p>x</p>');
    expect(out).toBe('<style>a::after{content:"<img src=x onerror=alert(1)>"}</style><p>x</p>');
  });

  it('rewrites URLs through the hook, escaping what it returns', () => {
    const out = safeHtml('<img src="cid:a@b"><img src="CID:%61@b"><a href="cid:zz">z</a>', {
      rewriteUrl: (u) => (u.toLowerCase().startsWith('cid:') ? `/att/${u.slice(4)}?x=1&y=2` : undefined),
    });
    expect(out).toBe(
      '<img src="/att/a@b?x=1&amp;y=2"><img src="/att/%61@b?x=1&amp;y=2"><a href="/att/zz?x=1&amp;y=2">z</a>',
    );
  });

  it('never outputs a script, an event handler or a javascript: URL, and is stable when applied twice', () => {
    const piece = fc.constantFrom(
      '<',
      '>',
      '/',
      '"',
      "'",
      '=',
      ' ',
      '\t',
      '&#',
      'x',
      ';',
      ':',
      '<!--',
      '-->',
      'script',
      'SCRIPT',
      'style',
      'svg',
      'noscript',
      'iframe',
      'img',
      'a',
      'src',
      'href',
      'onerror',
      'onload',
      'javascript',
      'java\tscript',
      'data:text/html',
      '&colon;',
      '&#106;',
      'alert(1)',
      '</',
      '<!',
      '<?',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const out = safeHtml(pieces.join(''));
        assertInert(out);
        expect(safeHtml(out)).toBe(out);
      }),
      { numRuns: 3000 },
    );
  });
});
