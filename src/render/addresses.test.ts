import { describe, expect, it } from 'vitest';
import { addressFor, checkMailbox, displayName, mailboxOf } from './addresses.js';
import type { RenderContext } from './context.js';

describe('addressFor', () => {
  it('puts each kind under its own .invalid domain', () => {
    expect(addressFor({ id: 'zhangwei', kind: 'internal' })).toBe('zhangwei@user.wechat-archiver.invalid');
    expect(addressFor({ id: 'wbbot' })).toMatch(/@robot\.wechat-archiver\.invalid$/);
    expect(addressFor({ id: 'wmabc' })).toBe('wmabc@external.wechat-archiver.invalid');
    expect(addressFor({ id: 'woabc' })).toMatch(/@external\.wechat-archiver\.invalid$/);
  });

  it('lowercases employee ids (case-insensitive in WeCom) without a tag', () => {
    expect(addressFor({ id: 'ZhangWei' })).toBe('zhangwei@user.wechat-archiver.invalid');
  });

  it('keeps external ids that differ only in case apart', () => {
    const a = addressFor({ id: 'wmAbC' });
    const b = addressFor({ id: 'wmabc' });
    expect(a).not.toBe(b);
    expect(a).toMatch(/^wmabc-[0-9a-f]{10}@external\.wechat-archiver\.invalid$/);
  });

  it('makes a valid dot-atom of any id, at most 64 octets, stable and distinct', () => {
    const ids = ['a b', 'a/b', '..x..', '张伟', '', '-', 'x'.repeat(200), 'x'.repeat(201), 'a"b@c'];
    const seen = new Set<string>();
    for (const id of ids) {
      const addr = addressFor({ id, kind: 'external' });
      const local = addr.slice(0, addr.indexOf('@'));
      expect(local).toMatch(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/);
      expect(local.length).toBeLessThanOrEqual(64);
      expect(addressFor({ id, kind: 'external' })).toBe(addr);
      seen.add(addr);
    }
    expect(seen.size).toBe(ids.length);
  });
});

describe('display names and mailboxes', () => {
  it('shows name, company of externals, and mobile', () => {
    expect(displayName({ id: 'wm1', kind: 'external', name: '王芳', corpName: '华东贸易', mobile: '+86137' })).toBe(
      '王芳@华东贸易 (+86137)',
    );
    expect(displayName({ id: 'u1', kind: 'internal', corpName: 'Own corp' })).toBe('u1');
  });

  it('prefers the mapped mailbox, else the generated address', () => {
    const ctx: RenderContext = {
      people: (id) => (id === 'u1' ? { id, kind: 'internal', name: 'U One' } : undefined),
      attachmentBytes: () => undefined,
      addressOf: (id) => (id === 'u1' ? 'u.one@example.com' : undefined),
    };
    expect(mailboxOf(ctx, 'u1')).toEqual({ name: 'U One', address: 'u.one@example.com' });
    expect(mailboxOf(ctx, 'wmX')).toEqual({ name: 'wmX', address: addressFor({ id: 'wmX' }) });
  });

  it('refuses a mapped mailbox that would break the header', () => {
    expect(checkMailbox('a.b+c@example.com', 'u')).toBe('a.b+c@example.com');
    for (const bad of ['a b@example.com', 'x', '张@example.com', 'a@b>', 'a@b\r\nBcc: x@y']) {
      expect(() => checkMailbox(bad, 'u')).toThrow(/fix the mapping/);
    }
  });
});
