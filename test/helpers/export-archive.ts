// A sandbox tenant of 60 messages (every msgtype, an account switch and a recall; see the
// generator's test) archived by the CLI, with every item read back parsed: what the tests of
// the per-conversation export formats (RSMF, PDF) compare their output with. On one dialect of
// `describeDialects` when given one (SQLite otherwise).
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import { archiveOn, type ArchiveOn } from './archive-on.js';
import { cliJson, tempDir } from './cli.js';
import type { DialectTarget } from './dialects.js';

export interface ArchivedItem {
  key: string;
  msgtype: string;
  time: number;
  recalledBy: string | null;
  fromId: string;
  mail: ParsedMail;
}

export async function exportArchive(
  prefix: string,
  t: DialectTarget | { kind: 'sqlite' } = { kind: 'sqlite' },
): Promise<{
  dir: { path: string; cleanup: () => Promise<void> };
  data: string;
  /** the archive with the CLI options that reach it */
  archive: ArchiveOn;
  items: Map<string, ArchivedItem>;
}> {
  const dir = await tempDir(prefix);
  const tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed: 11, messages: 60 });
  const data = join(dir.path, 'data');
  const archive = await archiveOn(t, data);
  await cliJson('run', '--once', '--sandbox', tenant, ...archive.args, '--workers', '0');
  const items = new Map<string, ArchivedItem>();
  const store = await archive.open();
  try {
    const rows = await store.db
      .selectFrom('items')
      .select(['key', 'msgtype', 'msg_time', 'mime_sha256', 'recalled_by', 'from_id'])
      .execute();
    for (const r of rows)
      items.set(r.key, {
        key: r.key,
        msgtype: r.msgtype,
        time: Number(r.msg_time),
        recalledBy: r.recalled_by,
        fromId: r.from_id,
        mail: await simpleParser(await store.blobs.read(store.db, r.mime_sha256)),
      });
  } finally {
    await store.close();
  }
  return { dir, data, archive, items };
}
