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
    ['<img src=x onerror=alert(1)>', '<img src="x" />'],
    ['<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer" target="_blank">x</a>'],
    ['<a href="java&#x09;script:alert(1)">x</a>', '<a rel="noopener noreferrer" target="_blank">x</a>'],
    ['<a href=" JAVASCRIPT:alert(1)">x</a>', '<a rel="noopener noreferrer" target="_blank">x</a>'],
    ['<a href="vbscript:x">x</a>', '<a rel="noopener noreferrer" target="_blank">x</a>'],
    ['<iframe src="https://evil"></iframe>ok', 'ok'],
    ['<body onload="x()"><p>t</p></body>', '<p>t</p>'],
    ['<meta http-equiv="refresh" content="0;url=https://evil"><p>t', '<p>t</p>'],
    ['<form action="https://evil"><input name=p></form>', ''],
    ['<base href="https://evil/">', ''],
    ['<img src="data:image/svg+xml;base64,PHN2Zz4=">', '<img />'],
  ])('%s', (input, expected) => {
    const out = safeHtml(input);
    expect(out).toBe(expected);
    assertInert(out);
  });

  it('keeps ordinary mail markup, inline styles and safe links, and drops the document head', () => {
    const html =
      '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>A &amp; B</title>' +
      '<style>p{color:red}</style></head><body style="margin:0"><h1 style="font-size:16px">Hi</h1>' +
      '<table style="border:0"><tr><th>From</th><td><a href="https://example.com/x?y=1">link</a> ' +
      '<a href="mailto:a@b.c">mail</a></td></tr></table><br/><img src="data:image/png;base64,AAAA"></body></html>';
    const out = safeHtml(html);
    expect(out).toContain('<h1 style="font-size:16px">Hi</h1>');
    expect(out).toContain('<table style="border:0"><tr><th>From</th>');
    expect(out).toContain('href="https://example.com/x?y=1"');
    expect(out).toContain('href="mailto:a@b.c"');
    expect(out).toContain('<img src="data:image/png;base64,AAAA" />');
    expect(out).not.toContain('A &amp; B');
    expect(out).not.toContain('color:red');
  });

  it('rewrites URLs through the hook', () => {
    const out = safeHtml('<img src="cid:a@b"><a href="cid:zz">z</a>', {
      rewriteUrl: (u) => (u.toLowerCase().startsWith('cid:') ? `/att/${u.slice(4)}?x=1&y=2` : undefined),
    });
    expect(out).toBe(
      '<img src="/att/a@b?x=1&amp;y=2" /><a href="/att/zz?x=1&amp;y=2" rel="noopener noreferrer" target="_blank">z</a>',
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
