// pdf.js's legacy build replaces built-ins of the thread that loads it (core-js polyfills of
// JSON.parse, JSON.stringify, Array.prototype.push, Function.prototype.toString, written in
// JavaScript and many times slower). Reading a PDF must leave the thread's built-ins as they were.
// Each case runs in a child process of its own, whose built-ins nothing else has touched.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childModule } from '../../../../test/helpers/cli-runtime.js';

const PDF = childModule(new URL('./pdf.ts', import.meta.url).href);

const REPLACEABLE = `[
  ['JSON.parse', JSON, 'parse'],
  ['JSON.stringify', JSON, 'stringify'],
  ['Array.prototype.push', Array.prototype, 'push'],
  ['Function.prototype.toString', Function.prototype, 'toString'],
]`;

/** Runs `load` (a script fragment that loads pdf.js) in a child; which built-ins it replaced, and what it printed. */
function builtinsAfter(load: string): { replaced: string[]; out: Record<string, unknown> } {
  const script = `
    const before = ${REPLACEABLE}.map(([name, o, k]) => [name, o, k, o[k]]);
    const out = {};
    ${load}
    const replaced = before.filter(([, o, k, f]) => o[k] !== f).map(([name]) => name);
    process.stdout.write(JSON.stringify({ replaced, out }));
  `;
  const r = spawnSync(process.execPath, [...PDF.execArgv, '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { replaced: string[]; out: Record<string, unknown> };
}

describe('pdfText', () => {
  it('reads a PDF and leaves the built-ins its polyfills would replace as they were', () => {
    const { replaced, out } = builtinsAfter(`
      const { default: PDFDocument } = await import('pdfkit');
      const doc = new PDFDocument();
      const chunks = [];
      doc.on('data', (c) => chunks.push(c));
      const ended = new Promise((res) => doc.on('end', res));
      doc.text('quarterly fund report');
      doc.end();
      await ended;
      const { pdfText } = await import(${JSON.stringify(PDF.href)});
      out.text = await pdfText(new Uint8Array(Buffer.concat(chunks)));
      out.again = await pdfText(new Uint8Array(Buffer.concat(chunks)));
      // what pdf.js needs from its polyfills on Node 20 is still there
      out.withResolvers = typeof Promise.withResolvers;
    `);
    expect(out.text).toContain('quarterly fund report');
    expect(out.again).toBe(out.text);
    expect(out.withResolvers).toBe('function');
    expect(replaced).toEqual([]);
  });

  it('(control) loading pdf.js without the guard replaces them', () => {
    const { replaced } = builtinsAfter(`
      await import('pdfjs-dist/legacy/build/pdf.mjs');
      await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
    `);
    expect(replaced).toEqual(expect.arrayContaining(['JSON.parse', 'JSON.stringify', 'Array.prototype.push']));
  });
});
