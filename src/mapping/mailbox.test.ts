import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMailbox } from './mailbox.js';

describe('checkMailbox', () => {
  it.each([
    ['ZhangSan@Example.COM', 'zhangsan@example.com'],
    ['  first.last+tag@sub.example.co.uk ', 'first.last+tag@sub.example.co.uk'],
    ['ｚｓ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'zs@example.com'],
    ['张三@例子.中国', '张三@例子.中国'],
    ["o'brien@example.com", "o'brien@example.com"],
  ])('accepts %s as %s', (input, address) => {
    expect(checkMailbox(input)).toEqual({ ok: true, address });
  });

  it.each([
    ['', 'the mailbox is empty'],
    ['zhangsan', '"zhangsan" is not a valid e-mail address (it has no @)'],
    ['a@b@example.com', '"a@b@example.com" is not a valid e-mail address (it has more than one @)'],
    ['zhang san@example.com', '"zhang san@example.com" is not a valid e-mail address (it contains a space)'],
    ['@example.com', '"@example.com" is not a valid e-mail address (nothing before the @)'],
    ['zs@', '"zs@" is not a valid e-mail address (nothing after the @)'],
    ['zs@localhost', '"zs@localhost" is not a valid e-mail address (the domain "localhost" has no dot)'],
    [
      'zs@-bad.example.com',
      '"zs@-bad.example.com" is not a valid e-mail address ("-bad.example.com" is not a domain name)',
    ],
    ['zs@example..com', '"zs@example..com" is not a valid e-mail address ("example..com" is not a domain name)'],
    ['zs@10.0.0.1', '"zs@10.0.0.1" is not a valid e-mail address ("10.0.0.1" is not a domain name)'],
    ['z,s@example.com', '"z,s@example.com" is not a valid e-mail address (the part before the @ contains ",")'],
    ['.zs@example.com', '".zs@example.com" is not a valid e-mail address (the part before the @ has a misplaced dot)'],
    [
      'Zhang San <zs@example.com>',
      '"Zhang San <zs@example.com>" is not a valid e-mail address (write only the address, without a name or < >)',
    ],
    ['mailto:zs@example.com', '"mailto:zs@example.com" is not a valid e-mail address (remove the "mailto:")'],
    [`${'a'.repeat(65)}@example.com`, 'the part before the @ is longer than 64 characters'],
  ])('rejects %s', (input, reason) => {
    const r = checkMailbox(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('accepts what it returns, unchanged', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = checkMailbox(s);
        if (r.ok) expect(checkMailbox(r.address)).toEqual(r);
      }),
    );
  });
});
