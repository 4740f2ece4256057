/**
 * A search snippet cut into plain and highlighted runs from the server's `highlights`
 * ([start, end) UTF-16 offsets). The page renders each run as a text node (a hit inside
 * <mark>), so message text is never parsed as HTML.
 */
export interface Segment {
  text: string;
  hit: boolean;
}

export function highlightSegments(text: string, ranges: readonly (readonly [number, number])[]): Segment[] {
  const clean = ranges
    .map(([s, e]) => [Math.max(0, Math.min(s, text.length)), Math.max(0, Math.min(e, text.length))] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const out: Segment[] = [];
  let at = 0;
  for (const [s, e] of clean) {
    // Overlapping or touching ranges join into one highlight.
    const last = out[out.length - 1];
    if (s < at && last?.hit) {
      if (e > at) {
        last.text += text.slice(at, e);
        at = e;
      }
      continue;
    }
    if (s > at) out.push({ text: text.slice(at, s), hit: false });
    out.push({ text: text.slice(Math.max(s, at), e), hit: true });
    at = e;
  }
  if (at < text.length) out.push({ text: text.slice(at), hit: false });
  return out;
}
