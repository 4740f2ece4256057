import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isArchiverError } from '../core/errors.js';
import { checkMappingFile, formatCheckReport } from './check.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/bad-mapping.csv', import.meta.url));

describe('checkMappingFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wxa-mapping-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts rows, usable rows and problems, each with its message', async () => {
    const report = await checkMappingFile(FIXTURE);
    expect(report).toMatchObject({ file: FIXTURE, rows: 29, valid: 6, errors: 22, warnings: 1 });
    expect(report.problems).toHaveLength(23);
    expect(report.problems.find((p) => p.line === 6)?.message).toBe(
      `${FIXTURE} line 6: "+86 1380013800" is not a valid mobile number (10 digits after +86, a Chinese mobile has 11); fix the row or remove it`,
    );
  });

  it('prints a summary line, then one line per problem', async () => {
    const path = join(dir, 'mapping.csv');
    await writeFile(
      path,
      'userid,mobile,mailbox\nzhangsan,+86 1380013800,zs@example.com\nlisi,,ls@example.com\nlisi,,ls@example.com\n',
    );
    const text = formatCheckReport(await checkMappingFile(path));
    expect(text.split('\n')).toEqual([
      `${path}: 3 rows, 1 usable; 1 error, 1 warning`,
      `${path} line 2: "+86 1380013800" is not a valid mobile number (10 digits after +86, a Chinese mobile has 11); fix the row or remove it`,
      `warning: ${path} line 4: the row repeats line 3 and is ignored; remove it`,
    ]);
  });

  it('says a clean file is clean', async () => {
    const path = join(dir, 'ok.csv');
    await writeFile(path, 'zhangsan,zs@example.com\n');
    expect(formatCheckReport(await checkMappingFile(path))).toBe(`${path}: 1 row, 1 usable; 0 errors, 0 warnings`);
  });

  it('reads a file Excel saved as plain "CSV" on Chinese Windows and says it was read as GB18030', async () => {
    const path = join(dir, 'gbk.csv');
    const header = Buffer.from([0xd3, 0xc3, 0xbb, 0xa7, 0x49, 0x44, 0x2c, 0xd3, 0xca, 0xcf, 0xe4]); // 用户ID,邮箱
    await writeFile(path, Buffer.concat([header, Buffer.from('\r\nzhangsan,zs@example.com\r\n')]));
    const report = await checkMappingFile(path);
    expect(report).toMatchObject({ encoding: 'GB18030', rows: 1, valid: 1, errors: 0 });
    expect(formatCheckReport(report).split('\n')).toEqual([
      `${path}: 1 row, 1 usable; 0 errors, 0 warnings`,
      'read as GB18030 (Excel\'s plain "CSV" on Chinese Windows); it is used as it is, or save it as "CSV UTF-8"',
    ]);
  });

  it('throws WXA_CONFIG_NOT_FOUND naming a missing file', async () => {
    const path = join(dir, 'missing.csv');
    const err: unknown = await checkMappingFile(path).catch((e: unknown) => e);
    expect(isArchiverError(err, 'WXA_CONFIG_NOT_FOUND')).toBe(true);
    expect((err as Error).message).toBe(`mapping file ${path} does not exist`);
  });

  it('throws WXA_CONFIG_INVALID for a directory', async () => {
    const err: unknown = await checkMappingFile(dir).catch((e: unknown) => e);
    expect(isArchiverError(err, 'WXA_CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toBe(`mapping file ${dir} is a directory`);
  });
});
