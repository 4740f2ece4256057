import { describe, expect, it } from 'vitest';
import { columnOfHeader, columnOfValue } from './csv-columns.js';

describe('columnOfHeader', () => {
  it.each([
    [
      'userid',
      [
        'userid',
        'UserID',
        'user id',
        'User_ID',
        'wecom userid',
        'WeCom UserID',
        '用户ID',
        '用户id',
        '账号',
        '帐号',
        '成员账号',
      ],
    ],
    ['mobile', ['mobile', 'Phone', 'mobile number', 'Mobile-Number', '手机', '手机号', '手机号码', 'ｍｏｂｉｌｅ']],
    ['externalId', ['external id', 'externaluserid', 'external_userid', 'External ID', '外部联系人ID', '外部联系人id']],
    ['mailbox', ['mailbox', 'email', 'E-mail', 'E-Mail Address', 'e.mail', '邮箱', '电子邮箱', '邮箱地址']],
  ] as const)('recognises %s columns', (kind, names) => {
    for (const name of names) expect(columnOfHeader(name), name).toBe(kind);
  });

  it('recognises nothing else', () => {
    for (const name of ['name', '姓名', 'department', '', 'id']) expect(columnOfHeader(name), name).toBeUndefined();
  });
});

describe('columnOfValue', () => {
  it.each([
    ['zs@example.com', 'mailbox'],
    ['+86 138 0013 8000', 'mobile'],
    ['(+86) 138-0013-8000', 'mobile'],
    ['１３８００１３８０００', 'mobile'],
    ['1.38001E+10', 'mobile'],
    ['wmAbCdEf0123456789', 'externalId'],
    ['woXyz', 'externalId'],
    ['zhangsan', 'userid'],
    ['张三', 'userid'],
  ])('%s is a %s', (value, kind) => {
    expect(columnOfValue(value)).toBe(kind);
  });
});
