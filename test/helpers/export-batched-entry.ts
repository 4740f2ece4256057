// Runs an export in batches of a given size (argv: data dir, database URL or '' for SQLite, out
// dir, format, query or `case:ID:SET` for a review set, batch items, and optionally EML batch
// threads), in a process of its own: what the tests of batch durability kill midway.
import { runExport, type ExportFormat } from '../../src/compliance/export/index.js';
import { openStore } from '../../src/store/index.js';

const [data, url, outDir, format, selection, batch, threads] = process.argv.slice(2);
const set = /^case:(\d+):(\d+)$/.exec(selection!);
const store = await openStore(data!, url ? { database: { url } } : {});
try {
  await runExport(store, {
    format: format as ExportFormat,
    outDir: outDir!,
    ...(set ? { caseId: Number(set[1]), reviewSetId: Number(set[2]) } : { query: selection! }),
    actor: 'test',
    batchItems: Number(batch),
    ...(threads ? { threads: Number(threads) } : {}),
  });
} catch (err) {
  // ends as the CLI does, by its exit code: a thread the export left running keeps it alive
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await store.close();
}
