// The wizard's CSV preview sends each problem's code and params beside its English message, so
// the console can translate it; the refusal of a save with a bad CSV is unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MappingPreview } from '../../src/server/contract.js';
import { startConsole, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';

let h: ConsoleHarness;
let admin: Client;

beforeAll(async () => {
  h = await startConsole();
  admin = await userWith(h, 'carol', ['connector-admin']);
});
afterAll(async () => h.close());

describe('POST /api/wizard/mapping-preview', () => {
  it('gives every problem its code and params with the English message', async () => {
    const csv =
      'userid,mobile,mailbox,note\nzhangsan,,zs@example.com,\nlisi,+86 1380013800,ls@example.com,\nzhangsan,,zs@example.com,\n';
    const preview = await admin.json<MappingPreview>('POST', '/api/wizard/mapping-preview', { csv, fileName: 'm.csv' });
    expect(preview.rows.map((r) => r.line)).toEqual([2]);
    expect(preview.problems).toEqual([
      {
        line: 1,
        severity: 'warning',
        message:
          'column 4 "note" is not a mapping column and is ignored; rename it to one of userid, mobile, external id, mailbox (or 用户ID, 手机号, 外部联系人ID, 邮箱) if it is meant to be used',
        code: 'header-column-ignored',
        params: { column: 4, value: 'note' },
      },
      {
        line: 3,
        severity: 'error',
        message: '"+86 1380013800" is not a valid mobile number (10 digits after +86, a Chinese mobile has 11)',
        code: 'mobile-wrong-length',
        params: { value: '+86 1380013800', digits: 10, callingCode: '86', expected: '11' },
      },
      {
        line: 4,
        severity: 'warning',
        message: 'the row repeats line 2 and is ignored; remove it',
        code: 'duplicate-row',
        params: { firstLine: 2 },
      },
    ]);
  });

  it('sends empty params for a problem that names no value', async () => {
    const preview = await admin.json<MappingPreview>('POST', '/api/wizard/mapping-preview', { csv: '' });
    expect(preview.problems).toEqual([
      {
        line: 0,
        severity: 'warning',
        message: 'the file has no mapping rows; add lines of userid, mobile, external id and mailbox',
        code: 'file-empty',
        params: {},
      },
    ]);
  });
});
