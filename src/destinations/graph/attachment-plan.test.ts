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

const lim = (maxAttachmentBytes: number, maxMessageBytes = 1e9, bodyBytes = 0) => ({
  maxAttachmentBytes,
  maxMessageBytes,
  bodyBytes,
});

describe('attachment plan', () => {
  it('takes names from the MIME parts, skips missing bytes and leaves out files over the limit', () => {
    const plan = planAttachments(item([10, undefined, 50, 20]), ['a.txt', 'a.txt', 'c.txt'], lim(30));
    expect(plan.attach.map((a) => [a.index, a.name, a.contentType])).toEqual([
      [0, 'a.txt', 'application/octet-stream'],
      [3, 'c.txt', 'application/octet-stream'],
    ]);
    expect(plan.omitted).toEqual([
      {
        index: 2,
        name: 'a (2).txt',
        size: 50,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown as string,
        reason: 'too-large',
      },
    ]);
  });

  it('counts the whole message: leaves out the largest files until body, files and note fit', () => {
    const MB = 1024 * 1024;
    // 35 MB limit: 20 + 15 + 10 + body 1 = 46 MB; leaving out the 20 MB file leaves 26 MB.
    const plan = planAttachments(item([10 * MB, 20 * MB, 15 * MB]), ['a', 'b', 'c'], lim(150 * MB, 35 * MB, MB));
    expect(plan.attach.map((a) => a.name)).toEqual(['a', 'c']);
    expect(plan.omitted.map((o) => [o.name, o.reason])).toEqual([['b', 'too-large']]);
    // Everything fits under 150 MB.
    expect(
      planAttachments(item([10 * MB, 20 * MB, 15 * MB]), ['a', 'b', 'c'], lim(150 * MB, 150 * MB, MB)).omitted,
    ).toEqual([]);
    // A limit the body alone nearly fills leaves every file out.
    expect(planAttachments(item([MB, 2 * MB]), ['a', 'b'], lim(150 * MB, MB + 10, MB)).attach).toEqual([]);
  });

  it('finds what an unfinished copy lacks by name, counting repeats', () => {
    const plan = planAttachments(item([1, 1, 1]), ['x', 'y', 'z'], lim(10));
    expect(missingAttachments(plan.attach, ['Y']).map((a) => a.name)).toEqual(['x', 'z']);
    expect(missingAttachments(plan.attach, ['x', 'y', 'z'])).toEqual([]);
  });

  it('puts the note at the top of the body, escaped', () => {
    const note = omittedNoteHtml(
      [
        { name: '<b>.mp4', size: 200 * 1024 * 1024, sha256: 'ab', reason: 'too-large' },
        { name: 'app.apk', size: 1024, sha256: 'cd', reason: 'blocked-type' },
      ],
      150 * 1024 * 1024,
    );
    expect(note).toContain('&#60;b&#62;.mp4: 200 MB (209,715,200 bytes), SHA-256 ab; left out: too large');
    expect(note).toContain('app.apk: 0.0 MB (1,024 bytes), SHA-256 cd; left out: a file type');
    expect(withNote('<html><body style="x"><p>hi</p></body></html>', 'N')).toBe(
      '<html><body style="x">\nN<p>hi</p></body></html>',
    );
    expect(withNote('<p>hi</p>', 'N')).toBe('N<p>hi</p>');
  });
});
