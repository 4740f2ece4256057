import { describe, expect, it } from 'vitest';
import type { DirectorySnapshot } from '../core/directory.js';
import { isArchiverError } from '../core/errors.js';
import { createResolver, type ResolverOptions } from './resolver.js';
import type { MappingRow } from './types.js';

const directory: DirectorySnapshot = {
  corpId: 'ww1',
  corpName: 'Test Corp',
  people: [
    { id: 'zhangsan', kind: 'internal', mobile: '13800138000', email: 'zhang.san@dir.example.com' },
    { id: 'lisi', kind: 'internal', mobile: '+86 139 0013 9000', email: 'LiSi@Dir.Example.com' },
    { id: 'wangwu', kind: 'internal', email: 'not an address' },
    { id: 'wmCustomer01', kind: 'external', mobile: '13700137000', email: 'customer@elsewhere.example' },
    { id: 'wbRobot', kind: 'robot' },
  ],
  rooms: [],
};

const rows: MappingRow[] = [
  { line: 2, userid: 'ZhangSan', mailbox: 'zs@csv.example.com' },
  { line: 3, mobile: '+8613900139000', mailbox: 'lisi@csv.example.com' },
  { line: 4, externalId: 'wmCustomer01', mailbox: 'sales@csv.example.com' },
  { line: 5, mobile: '+8613700137000', mailbox: 'by-mobile@csv.example.com' },
];

const build = (over: Partial<ResolverOptions> = {}) =>
  createResolver({ csvRows: rows, directory, autoFromDirectoryEmail: true, ...over });

describe('createResolver', () => {
  it('takes the CSV first: userid (ignoring case), then external id, then the directory mobile in E.164', () => {
    const r = build();
    expect(r.resolve('zhangsan')).toEqual({ mailbox: 'zs@csv.example.com', via: 'csv-userid' });
    expect(r.resolve('ZHANGSAN')).toEqual({ mailbox: 'zs@csv.example.com', via: 'csv-userid' });
    // the external id row wins over the mobile row that also matches this person
    expect(r.resolve('wmCustomer01')).toEqual({ mailbox: 'sales@csv.example.com', via: 'csv-external' });
    expect(r.resolve('wmcustomer01')).toEqual({ mailbox: null, reason: 'unmapped' });
    expect(r.resolve('lisi')).toEqual({ mailbox: 'lisi@csv.example.com', via: 'csv-mobile' });
  });

  it('then the directory e-mail, lower-cased, when enabled and valid', () => {
    const r = build({ csvRows: [] });
    expect(r.resolve('lisi')).toEqual({ mailbox: 'lisi@dir.example.com', via: 'directory-email' });
    expect(r.resolve('wangwu')).toEqual({ mailbox: null, reason: 'unmapped' });
    expect(build({ csvRows: [], autoFromDirectoryEmail: false }).resolve('lisi')).toEqual({
      mailbox: null,
      reason: 'unmapped',
    });
  });

  it('then the template, for employees only', () => {
    const r = build({ csvRows: [], autoFromDirectoryEmail: false, addressTemplate: '{userid}@corp.example.com' });
    expect(r.resolve('WangWu')).toEqual({ mailbox: 'wangwu@corp.example.com', via: 'template' });
    expect(r.resolve('not-in-directory')).toEqual({ mailbox: 'not-in-directory@corp.example.com', via: 'template' });
    expect(r.resolve('wmCustomer01')).toEqual({ mailbox: null, reason: 'unmapped' });
    expect(r.resolve('wbRobot')).toEqual({ mailbox: null, reason: 'unmapped' });
    // a userid with an @ cannot make an address from the template: it falls through
    expect(r.resolve('zs@branch')).toEqual({ mailbox: null, reason: 'unmapped' });
  });

  it('then the catch-all, for anyone left', () => {
    const r = build({ csvRows: [], autoFromDirectoryEmail: false, catchAll: 'Archive@Corp.example.com' });
    expect(r.resolve('wbRobot')).toEqual({ mailbox: 'archive@corp.example.com', via: 'catch-all' });
    expect(r.resolve('')).toEqual({ mailbox: null, reason: 'unmapped' });
  });

  it('works without a directory', () => {
    const r = createResolver({
      csvRows: rows,
      autoFromDirectoryEmail: true,
      addressTemplate: '{userid}@corp.example.com',
    });
    expect(r.resolve('zhangsan').mailbox).toBe('zs@csv.example.com');
    expect(r.resolve('lisi')).toEqual({ mailbox: 'lisi@corp.example.com', via: 'template' });
  });

  it('keeps the first row when rows from elsewhere disagree', () => {
    const r = createResolver({
      csvRows: [
        { line: 1, userid: 'a', mailbox: 'first@example.com' },
        { line: 2, userid: 'A', mailbox: 'second@example.com' },
      ],
      autoFromDirectoryEmail: false,
    });
    expect(r.resolve('a').mailbox).toBe('first@example.com');
  });

  it.each([
    [{ addressTemplate: '@corp.example.com' }, 'has no {userid}'],
    [{ addressTemplate: '{userid}@corp' }, 'the domain "corp" has no dot'],
    [{ catchAll: 'archive' }, 'catchAll: "archive" is not a valid e-mail address (it has no @)'],
  ])('refuses a template or catch-all that cannot make an address (%o)', (over, message) => {
    let caught: unknown;
    try {
      build(over);
    } catch (err) {
      caught = err;
    }
    expect(isArchiverError(caught, 'WXA_CONFIG_INVALID')).toBe(true);
    expect((caught as Error).message).toContain(message);
  });

  it('answers the same frozen result on repeated calls', () => {
    const many: MappingRow[] = Array.from({ length: 20_000 }, (_, i) => ({
      line: i + 1,
      userid: `user${i}`,
      mailbox: `user${i}@example.com`,
    }));
    const r = createResolver({ csvRows: many, directory, autoFromDirectoryEmail: true });
    const first = r.resolve('user19999');
    expect(r.resolve('user19999')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});
