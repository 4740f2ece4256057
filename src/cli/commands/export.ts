/**
 * `export (--query Q | --case ID [--review-set ID]) --format eml|mbox|rsmf|pdf --out DIR`: a defensible
 * export with its manifest, resumable by running the same command again after a crash.
 */
import { resolve } from 'node:path';
import { cliActor } from '../../compliance/audit/index.js';
import { requireExportableCase } from '../../compliance/cases/index.js';
import { cliExportEntry, EXPORT_FORMATS, runExport, type ExportFormat } from '../../compliance/export/index.js';
import { ArchiverError } from '../../core/errors.js';
import { openConfiguredStore, resolveConfig, type CommonFlags } from '../context.js';
import { releaseYoungGeneration, widenOldGeneration } from '../gc-defaults.js';
import { padMallocTop } from '../malloc-defaults.js';
import { stopTrimming } from '../malloc-trim.js';
import { printJson, type Io } from '../io.js';

export interface ExportFlags extends CommonFlags {
  query?: string;
  case?: string;
  reviewSet?: string;
  tag?: string[];
  format: string;
  out: string;
  threads?: string;
  json?: boolean;
}

/**
 * The memory settings of an export, set over the installed command's (see gc-defaults.ts,
 * malloc-defaults.ts, malloc-trim.ts): an export allocates fast and briefly, a few KB per item
 * and a batch at a time, so the young generation may grow, the old one grows to twice what is
 * live before its next full collection, and glibc keeps freed memory (at the top of its heap,
 * and no trim after full collections) for the next items instead of giving it back. Exported
 * for the export bench, which runs the export as this command does.
 *
 * RSMF keeps the installed command's small young generation: its writing threads parse every
 * message, and each thread's young generation grown to V8's 16 MB semi-spaces held some 30 MB
 * more. 10,000 items on two writers, two runs each: peak RSS 212-220 MB against 274-278 MB,
 * 6% more CPU; 100,000 items: 234 MB.
 */
export async function tuneForExport(format = 'eml'): Promise<void> {
  if (format !== 'rsmf') releaseYoungGeneration();
  widenOldGeneration();
  stopTrimming();
  await padMallocTop();
}

function idFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v)) throw new ArchiverError('WXA_INPUT_INVALID', `${name}: "${v}" is not an id`);
  return Number(v);
}

export async function exportCommand(flags: ExportFlags, io: Io): Promise<number> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format)) {
    io.err(`export: --format is eml, mbox, rsmf or pdf, not "${flags.format}"\n`);
    return 2;
  }
  if ((flags.query === undefined) === (flags.case === undefined)) {
    io.err('export: give exactly one of --query Q or --case ID\n');
    return 2;
  }
  if (flags.reviewSet !== undefined && flags.case === undefined) {
    io.err('export: --review-set needs --case\n');
    return 2;
  }
  const caseId = idFlag('--case', flags.case);
  const reviewSetId = idFlag('--review-set', flags.reviewSet);
  if (flags.threads !== undefined && !/^\d{1,2}$/.test(flags.threads)) {
    io.err(`export: --threads is a number of threads (0 for none), not "${flags.threads}"\n`);
    return 2;
  }
  await tuneForExport(flags.format);
  const cfg = await resolveConfig(flags);
  const store = await openConfiguredStore(cfg, flags);
  try {
    // As in the console: a closed case is read-only and exports nothing until reopened.
    if (caseId !== undefined) await requireExportableCase(store.db, caseId);
    const req = {
      format: flags.format as ExportFormat,
      outDir: resolve(flags.out),
      actor: cliActor(),
      ...(flags.query !== undefined ? { query: flags.query } : {}),
      ...(caseId !== undefined ? { caseId } : {}),
      ...(reviewSetId !== undefined ? { reviewSetId } : {}),
      ...(flags.tag ? { tags: flags.tag } : {}),
    };
    // registered once its selection is journaled, so its case lists it beside the console's exports
    const entry = cliExportEntry(store, req);
    let res;
    try {
      res = await runExport(store, {
        ...req,
        pdfFont: cfg.export,
        ...(flags.threads !== undefined ? { threads: Number(flags.threads) } : {}),
        onStart: async (s) => entry.begin(s.exportId),
      });
    } catch (err) {
      await entry.failed(err).catch(() => undefined);
      throw err;
    }
    await entry.done(res);
    if (flags.json) printJson(io, res);
    else
      io.out(
        `${res.resumed ? 'resumed and finished' : 'exported'} ${res.counts.items} items into ${res.counts.files} files (${res.counts.bytes} bytes)\nmanifest ${res.manifest}\nmanifest sha256 ${res.manifestSha256}\n`,
      );
    return 0;
  } finally {
    await store.close();
  }
}
