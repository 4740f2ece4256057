// Runs an export in batches of a given size (argv: data dir, database URL or '' for SQLite, out
// dir, format, query, batch items, and optionally EML batch threads), in a process of its own:
// what the tests of batch durability kill midway.
import { runExport, type ExportFormat } from '../../src/compliance/export/index.js';
import { openStore } from '../../src/store/index.js';

const [data, url, outDir, format, query, batch, threads] = process.argv.slice(2);
const store = await openStore(data!, url ? { database: { url } } : {});
try {
  await runExport(store, {
    format: format as ExportFormat,
    outDir: outDir!,
    query: query!,
    actor: 'test',
    batchItems: Number(batch),
    ...(threads ? { threads: Number(threads) } : {}),
  });
} finally {
  await store.close();
}
