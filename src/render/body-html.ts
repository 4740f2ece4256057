/**
 * The text/html body: a small complete document with inline styles only (mail clients drop
 * <style> blocks and never load external sheets), every value escaped, links only for http(s).
 * Newlines become <br> rather than relying on `white-space: pre-wrap`, which Outlook's Word
 * engine ignores.
 */
import type { Block, Field, MessageView } from './view.js';

const S = {
  body: "margin:0;padding:16px;background:#ffffff;color:#1f2328;font-family:-apple-system,'Segoe UI',Roboto,'PingFang SC','Microsoft YaHei',sans-serif;font-size:14px;line-height:1.5",
  h1: 'font-size:16px;margin:0 0 12px 0',
  table: 'border-collapse:collapse;margin:0 0 12px 0',
  th: 'text-align:left;vertical-align:top;padding:2px 12px 2px 0;color:#59636e;font-weight:normal',
  td: 'vertical-align:top;padding:2px 0',
  hr: 'border:0;border-top:1px solid #d1d9e0;margin:12px 0',
  text: 'margin:8px 0;word-break:break-word',
  pre: 'margin:8px 0;padding:8px;background:#f6f8fa;border-radius:4px;white-space:pre-wrap;word-break:break-word;font-family:Consolas,Menlo,monospace;font-size:13px',
  warning: 'margin:8px 0;padding:8px 12px;border-left:4px solid #d97706;background:#fff7ed',
  info: 'margin:8px 0;padding:8px 12px;border-left:4px solid #0969da;background:#ddf4ff',
  banner: 'margin:0 0 12px 0;padding:10px 12px;border:2px solid #cf222e;background:#ffebe9;font-weight:bold',
  title: 'margin:12px 0 4px 0;font-weight:600',
  ul: 'margin:4px 0 8px 0;padding-left:24px',
  section: 'margin:8px 0 8px 8px;padding-left:12px;border-left:3px solid #d1d9e0',
} as const;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escape for element content and attribute values. C0 controls (other than tab and line
 * breaks) and DEL are not allowed in HTML, so they are shown as their Unicode control
 * pictures (U+2400 + code): visible, and a reviewer sees that something was there.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function escapeHtml(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const entity = ENTITIES[c];
    if (entity) return entity;
    const code = c.charCodeAt(0);
    return String.fromCharCode(code === 0x7f ? 0x2421 : 0x2400 + code);
  });
}

/** Escaped, with every line break shown as <br>. */
function multiline(text: string): string {
  return escapeHtml(text).replace(/\r\n|\r|\n/g, '<br>');
}

function value(f: Field): string {
  if (f.href) return `<a href="${escapeHtml(f.href)}">${escapeHtml(f.value)}</a>`;
  return multiline(f.value);
}

function rows(fields: readonly Field[]): string {
  const tr = fields.map(
    (f) => `<tr><th style="${S.th}">${escapeHtml(f.label)}</th><td style="${S.td}">${value(f)}</td></tr>`,
  );
  return `<table style="${S.table}">${tr.join('\n')}</table>`;
}

function block(b: Block): string {
  switch (b.type) {
    case 'text':
      return `<div style="${S.text}">${multiline(b.text)}</div>`;
    case 'pre':
      return `<pre style="${S.pre}">${escapeHtml(b.text)}</pre>`;
    case 'fields':
      return b.fields.length ? rows(b.fields) : '';
    case 'notice':
      return `<div style="${b.tone === 'warning' ? S.warning : S.info}">${multiline(b.text)}</div>`;
    case 'list': {
      const items = b.items.length ? b.items.map((i) => `<li>${multiline(i)}</li>`).join('') : '<li>(none)</li>';
      return `<div style="${S.title}">${escapeHtml(b.title)}</div><ul style="${S.ul}">${items}</ul>`;
    }
    case 'section':
      return `<div style="${S.section}"><div style="${S.title}">${escapeHtml(b.heading)}</div>\n${blocks(b.blocks)}</div>`;
  }
}

function blocks(list: readonly Block[]): string {
  return list
    .map(block)
    .filter((s) => s !== '')
    .join('\n');
}

export function renderHtml(view: MessageView): string {
  const title = `WeChat message (微信消息): ${view.title}`;
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(`${view.conversation}: ${view.summary}`)}</title>\n</head>\n` +
    `<body style="${S.body}">\n` +
    (view.banner ? `<div style="${S.banner}">${escapeHtml(view.banner)}</div>\n` : '') +
    `<h1 style="${S.h1}">${escapeHtml(title)}</h1>\n` +
    `${rows(view.envelope)}\n<hr style="${S.hr}">\n` +
    `${blocks(view.blocks)}\n</body>\n</html>\n`
  );
}
