/**
 * `export list [--case ID] [--json]`: every export the archive knows of, the console's and the
 * `export` command's, the latest first. A query's export made without a case is listed here
 * only: `case show` lists a case's.
 */
import { requireCase } from '../../compliance/cases/index.js';
import { listExports } from '../../compliance/export/index.js';
import { type CommonFlags, openConfiguredStore, resolveConfig } from '../context.js';
import { printJson, type Io } from '../io.js';
import { idArg } from './cases.js';
import { exportsTable } from './export-rows.js';

export interface ExportListFlags extends CommonFlags {
  case?: string;
  json?: boolean;
}

export async function exportListCommand(flags: ExportListFlags, io: Io): Promise<number> {
  const caseId = flags.case === undefined ? undefined : idArg('--case', flags.case);
  const cfg = await resolveConfig(flags, true);
  const store = await openConfiguredStore(cfg, flags, { command: 'export list', whose: 'whose exports to list' });
  try {
    // an unknown case is named as such, not answered with an empty list
    if (caseId !== undefined) await requireCase(store.db, caseId);
    const exports = await listExports(store, {
      dataDir: cfg.dataDir,
      ...(caseId !== undefined ? { caseId } : {}),
      now: Date.now(),
    });
    if (flags.json) printJson(io, exports);
    else io.out(exportsTable(exports, 'archive'));
    return 0;
  } finally {
    await store.close();
  }
}
