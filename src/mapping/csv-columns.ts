/**
 * Which mapping column a header cell names, in English or Chinese, and which column a value
 * belongs to when the file has no header. Admins export these files from HR systems, the
 * WeCom console and Excel, so the names vary; matching ignores case, spaces, `_ - . ( )`.
 */

export type ColumnKind = 'userid' | 'mobile' | 'externalId' | 'mailbox';

export const COLUMN_LABELS: Record<ColumnKind, string> = {
  userid: 'userid',
  mobile: 'mobile number',
  externalId: 'external id',
  mailbox: 'mailbox',
};

const NAMES: Record<ColumnKind, readonly string[]> = {
  userid: [
    'userid',
    'wecomuserid',
    'wecomid',
    'wecomaccount',
    'wxworkuserid',
    'account',
    'memberid',
    '用户id',
    '用户账号',
    '用户帐号',
    '账号',
    '帐号',
    '成员id',
    '成员账号',
    '成员帐号',
    '企业微信id',
    '企业微信账号',
    '企业微信帐号',
  ],
  mobile: [
    'mobile',
    'mobilenumber',
    'mobilephone',
    'phone',
    'phonenumber',
    'cellphone',
    'cell',
    'tel',
    '手机',
    '手机号',
    '手机号码',
    '移动电话',
    '电话',
    '电话号码',
  ],
  externalId: [
    'externalid',
    'externaluserid',
    'externalcontactid',
    'external',
    '外部联系人id',
    '外部联系人',
    '外部id',
    '客户id',
  ],
  mailbox: [
    'mailbox',
    'email',
    'emailaddress',
    'mail',
    'mailaddress',
    'upn',
    'userprincipalname',
    '邮箱',
    '邮箱地址',
    '电子邮箱',
    '电子邮件',
    '邮件地址',
    '企业邮箱',
  ],
};

const BY_NAME = new Map<string, ColumnKind>(
  (Object.entries(NAMES) as [ColumnKind, readonly string[]][]).flatMap(([kind, names]) => names.map((n) => [n, kind])),
);

function headerKey(cell: string): string {
  return cell
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.()]/g, '');
}

/** The column a header cell names, or undefined for a cell that names none. */
export function columnOfHeader(cell: string): ColumnKind | undefined {
  return BY_NAME.get(headerKey(cell));
}

/** Names to suggest when a header is not understood. */
export const KNOWN_HEADER_EXAMPLES = 'userid, mobile, external id, mailbox (or 用户ID, 手机号, 外部联系人ID, 邮箱)';

/**
 * Guess a value's column in a file without a header: an @ makes a mailbox, digits and phone
 * punctuation a mobile, a `wm`/`wo` prefix an external id (the rule `personKindOf` uses),
 * anything else a userid. A userid made only of digits is read as a mobile: such files need
 * a header.
 */
export function columnOfValue(value: string): ColumnKind {
  const v = value.normalize('NFKC');
  if (v.includes('@')) return 'mailbox';
  if (/^[\d\s+().\-/]+$/.test(v) || /^\d+(\.\d+)?e\+?\d+$/i.test(v)) return 'mobile';
  if (v.startsWith('wm') || v.startsWith('wo')) return 'externalId';
  return 'userid';
}
