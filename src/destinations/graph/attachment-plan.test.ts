import { describe, expect, it } from 'vitest';
import type { RenderedItem } from '../types.js';
import { omittedNoteHtml, planAttachments, withNote } from './attachment-plan.js';
import { missingAttachments } from './deliver.js';

function item(sizes: (number | undefined)[]): RenderedItem {
  return {
    attachments: sizes.map((s, i) => ({
      ref: { sdkfileid: `f${i}`, filename: `f${i}.bin`, contentType: '', role: 'media' as const },
      bytes: s === undefined ? undefined : Buffer.alloc(s, i),
    })),
  } as RenderedItem;
}

describe('attachment plan', () => {
  it('takes names from the MIME parts, skips missing bytes and leaves out files over the limit', () => {
    const plan = planAttachments(item([10, undefined, 50, 20]), ['a.txt', 'a.txt', 'c.txt'], 30);
    expect(plan.attach.map((a) => [a.index, a.name, a.contentType])).toEqual([
      [0, 'a.txt', 'application/octet-stream'],
      [3, 'c.txt', 'application/octet-stream'],
    ]);
    expect(plan.omitted).toEqual([
      { index: 2, name: 'a (2).txt', size: 50, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown as string },
    ]);
  });

  it('finds what an unfinished copy lacks by name, counting repeats', () => {
    const plan = planAttachments(item([1, 1, 1]), ['x', 'y', 'z'], 10);
    expect(missingAttachments(plan.attach, ['Y']).map((a) => a.name)).toEqual(['x', 'z']);
    expect(missingAttachments(plan.attach, ['x', 'y', 'z'])).toEqual([]);
  });

  it('puts the note at the top of the body, escaped', () => {
    const note = omittedNoteHtml(
      [{ index: 0, name: '<b>.mp4', size: 200 * 1024 * 1024, sha256: 'ab' }],
      150 * 1024 * 1024,
    );
    expect(note).toContain('&#60;b&#62;.mp4: 200 MB (209,715,200 bytes), SHA-256 ab');
    expect(withNote('<html><body style="x"><p>hi</p></body></html>', 'N')).toBe(
      '<html><body style="x">\nN<p>hi</p></body></html>',
    );
    expect(withNote('<p>hi</p>', 'N')).toBe('N<p>hi</p>');
  });
});
