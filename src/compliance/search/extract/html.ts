/**
 * The visible text of an HTML file (html-to-text): no tags, scripts or styles, entities decoded.
 * html-to-text and its parser (some 40 modules) load with the first HTML attachment, not with
 * every process that loads the search code.
 */
let convert: Promise<typeof import('html-to-text').convert> | undefined;

export async function htmlText(html: string): Promise<string> {
  const toText = await (convert ??= import('html-to-text').then((m) => m.convert));
  return toText(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
    ],
  });
}
