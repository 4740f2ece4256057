/**
 * Every export the archive knows of, the console's (export_jobs) and the `export` command's
 * (case_exports) in one list, the latest first: what `case show` lists for a case and
 * `export list` for the whole archive, including a query's export made without a case, which
 * no case lists.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Store } from '../../store/index.js';
import { allCliExportViews, cliExportsOfCase, writerHost } from './cli-register.js';
import type { CliExportView, ExportJobView } from './job-types.js';
import { allConsoleExports, consoleExportDir, consoleExportsOfCase } from './jobs.js';

/**
 * One export with where its files are. `cli`: made with the `export` command, its directory on
 * the host that ran it (see writerHost); `console`: under the console's data directory.
 */
export type ListedExport = (
  (ExportJobView & { via: 'console'; directory: string }) | (CliExportView & { via: 'cli' })
) & {
  /**
   * Whether its directory is still there: false once its files were moved or removed (handed
   * over, or cleaned up), so a listed "done" is not taken for files at hand; null for a
   * command's export made on another host, which this one cannot look at.
   */
  filesHere: boolean | null;
};

/** Whether a command export's directory is still there; null when it was made on another host. */
export function cliFilesHere(e: Pick<CliExportView, 'writtenBy' | 'directory'>): boolean | null {
  return writerHost(e) === hostname() ? existsSync(e.directory) : null;
}

export async function listExports(
  store: Store,
  opts: {
    /** the data directory the console writes its exports under */
    dataDir: string;
    /** only this case's exports */
    caseId?: number;
    now: number;
  },
): Promise<ListedExport[]> {
  const { caseId, now } = opts;
  const consoles =
    caseId === undefined ? await allConsoleExports(store, now) : await consoleExportsOfCase(store, caseId, now);
  const commands = caseId === undefined ? await allCliExportViews(store) : await cliExportsOfCase(store, caseId);
  return [
    ...consoles.map((j) => {
      const directory = consoleExportDir(opts.dataDir, j.caseId, j.id);
      return { ...j, via: 'console' as const, directory, filesHere: existsSync(directory) };
    }),
    ...commands.map((e) => ({ ...e, via: 'cli' as const, filesHere: cliFilesHere(e) })),
  ].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
