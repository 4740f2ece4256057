/**
 * The text/plain body: the message view written as indented plain text, for clients and
 * tools that never show HTML (and for search indexes that read text/plain first).
 */
import type { Block, Field, MessageView } from './view.js';

const INDENT = '    ';

function indent(text: string, prefix: string): string {
  return prefix ? text.replace(/^/gm, prefix) : text;
}

function fieldLine(f: Field): string {
  // Continuation lines of a multi-line value are indented so the label stays readable.
  return `${f.label}: ${f.value.replace(/\r\n|\r|\n/g, `\n${INDENT}`)}`;
}

function block(b: Block): string {
  switch (b.type) {
    case 'text':
    case 'pre':
      return b.text;
    case 'fields':
      return b.fields.map(fieldLine).join('\n');
    case 'notice':
      return `[${b.tone === 'warning' ? 'Warning' : 'Note'}] ${b.text}`;
    case 'list':
      return [`${b.title}:`, ...(b.items.length ? b.items.map((i) => `  - ${i}`) : ['  (none)'])].join('\n');
    case 'section':
      return `${b.heading}\n${indent(blocks(b.blocks), INDENT)}`;
  }
}

/** Blocks as plain text; also the conversation transcript's text of a message. */
export function blocks(list: readonly Block[]): string {
  return list
    .map(block)
    .filter((s) => s !== '')
    .join('\n\n');
}

export function renderText(view: MessageView): string {
  const parts: string[] = [];
  if (view.banner) parts.push(`*** ${view.banner} ***`);
  parts.push(`WeChat message (微信消息): ${view.title}`);
  parts.push(view.envelope.map(fieldLine).join('\n'));
  parts.push('-'.repeat(60));
  parts.push(blocks(view.blocks));
  return `${parts.join('\n\n')}\n`;
}
