// A sandbox tenant of 60 messages (every msgtype, an account switch and a recall; see the
// generator's test) archived by the CLI, with every item read back parsed: what the tests of
// the per-conversation export formats (RSMF, PDF) compare their output with.
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import { openStore } from '../../src/store/index.js';
import { cliJson, tempDir } from './cli.js';

export interface ArchivedItem {
  key: string;
  msgtype: string;
  time: number;
  recalledBy: string | null;
  fromId: string;
  mail: ParsedMail;
}

export async function exportArchive(prefix: string): Promise<{
  dir: { path: string; cleanup: () => Promise<void> };
  data: string;
  items: Map<string, ArchivedItem>;
}> {
  const dir = await tempDir(prefix);
  const tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed: 11, messages: 60 });
  const data = join(dir.path, 'data');
  await cliJson('run', '--once', '--sandbox', tenant, '--data-dir', data, '--workers', '0');
  const items = new Map<string, ArchivedItem>();
  const store = await openStore(data);
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
  return { dir, data, items };
}
