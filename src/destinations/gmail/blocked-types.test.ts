import { describe, expect, it } from 'vitest';
import type { RenderedItem } from '../types.js';
import { blockedAttachments, isBlockedName } from './blocked-types.js';

describe('Gmail blocked attachment types', () => {
  it('knows the published extensions, without regard to case', () => {
    for (const n of ['app.APK', 'setup.exe', 'x.js', 'run.bat', 'a.cmd', 'b.com', 'c.jar', 'd.msi', 'e.vbs', 'f.scr']) {
      expect(isBlockedName(n)).toBe(true);
    }
    for (const n of ['photo.jpg', 'contract.pdf', 'exe', 'notes.txt', 'archive.zip'])
      expect(isBlockedName(n)).toBe(false);
  });

  it('names the refused attachments of an item, or all of them when none is on the list', () => {
    const item = (names: string[]) =>
      ({
        attachments: names.map((filename) => ({ ref: { filename }, bytes: Buffer.from('x') })),
      }) as unknown as RenderedItem;
    expect(blockedAttachments(item(['a.jpg', 'b.apk', 'c.pdf', 'd.exe']))).toEqual([1, 3]);
    expect(blockedAttachments(item(['a.jpg', 'b.pdf']))).toEqual([0, 1]);
  });
});
