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
