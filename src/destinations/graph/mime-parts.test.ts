import { describe, expect, it } from 'vitest';
import { renderMime } from '../../render/index.js';
import { fakeBytes, sampleCases } from '../../../test/helpers/render-fixtures.js';
import { parseMimeParts, withoutAttachmentBodies } from './mime-parts.js';

describe('reading a rendered message back', () => {
  it('gives subject, HTML, From, To, threading ids and attachment names for every sample', async () => {
    for (const c of sampleCases()) {
      const mime = renderMime(c.msg, c.ctx);
      const parts = await parseMimeParts(mime);
      expect(parts.subject, c.name).toMatch(/^\[WeChat\] /);
      expect(parts.html, c.name).toContain('<!DOCTYPE html>');
      expect(parts.from?.address, c.name).toBeTruthy();
      expect(parts.to.length, c.name).toBe(c.msg.tolist.length);
      expect(parts.inReplyTo, c.name).toMatch(/^<.+@.+>$/);
      const withBytes = c.msg.attachments.filter((_, i) => c.ctx.attachmentBytes(i));
      expect(parts.attachmentNames, c.name).toHaveLength(withBytes.length);
    }
  });

  it('empties attachment bodies only, so the parse is the same and large files cost nothing', async () => {
    const c = sampleCases().find((x) => x.name === 'file');
    if (!c) throw new Error('no file sample');
    const big = fakeBytes('big', 2_000_000);
    const mime = renderMime(c.msg, { ...c.ctx, attachmentBytes: () => big });
    const stripped = withoutAttachmentBodies(mime);
    expect(stripped.length).toBeLessThan(20_000);
    expect(mime.length).toBeGreaterThan(2_600_000);
    const [a, b] = await Promise.all([parseMimeParts(mime), parseMimeParts(stripped)]);
    expect(b).toEqual(a);
    expect(a.attachmentNames).toEqual([c.msg.attachments[0]?.filename]);
    const plain = Buffer.from('Subject: x\r\n\r\nbody');
    expect(withoutAttachmentBodies(plain)).toBe(plain);
  });
});
