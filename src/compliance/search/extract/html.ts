/** The visible text of an HTML file (html-to-text): no tags, scripts or styles, entities decoded. */
import { convert } from 'html-to-text';

export function htmlText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
    ],
  });
}
