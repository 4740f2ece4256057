/**
 * The register of exports made with the `export` command: each is recorded when its selection
 * is journaled and marked done (with its counts and manifest hash) or failed when the command
 * ends, so that a case lists every export made of it, from the console or the command line.
 * Running the command again into the same directory resumes the export and its entry.
 */
import { hostname } from 'node:os';
import {
  allCliExports,
  beginCliExport,
  cliExportsOf,
  exportJob,
  finishCliExport,
  type CliExportRow,
  type Store,
} from '../../store/index.js';
import type { CliExportSource, CliExportView } from './job-types.js';
import type { ExportResult } from './run.js';
import type { ExportRequest } from './selection.js';

export type { CliExportView, CliExportSource } from './job-types.js';

/** This process, as an entry names the process writing it. */
const thisProcess = (): string => `${hostname()} pid ${process.pid}`;

export interface CliExportEntry {
  /**
   * Records the export as running in this process (called once its selection is journaled). Not
   * registered: an export resumed from a journal without an id (an earlier build's), or a
   * console export's directory resumed by the command (the console lists it).
   */
  begin(exportId: string | undefined): Promise<void>;
  done(res: ExportResult): Promise<void>;
  /** an export that began and then failed; one that never began has no entry */
  failed(err: unknown): Promise<void>;
}

export function cliExportEntry(
  store: Store,
  req: ExportRequest & { format: string; outDir: string; actor: string },
  now: () => number = Date.now,
): CliExportEntry {
  let id: string | undefined;
  return {
    async begin(exportId) {
      if (exportId === undefined) return;
      // a console export's directory resumed by the command: the console's row lists it already
      if (req.caseId !== undefined && (await exportJob(store.db, req.caseId, exportId, now()))) return;
      id = exportId;
      await beginCliExport(store.db, {
        exportId,
        caseId: req.caseId ?? null,
        reviewSetId: req.reviewSetId ?? null,
        query: req.query ?? null,
        tags: [...(req.tags ?? [])].sort(),
        format: req.format,
        outDir: req.outDir,
        by: req.actor,
        holder: thisProcess(),
        at: now(),
      });
    },
    async done(res) {
      if (id === undefined) return;
      await finishCliExport(store.db, id, {
        status: 'done',
        at: now(),
        counts: res.counts,
        manifestSha256: res.manifestSha256,
      });
    },
    async failed(err) {
      if (id === undefined) return;
      await finishCliExport(store.db, id, { status: 'failed', at: now(), error: (err as Error).message });
    },
  };
}

/** The host and pid of the process an entry names (as thisProcess writes them), if it names one. */
function writerOf(holder: string | null): { host: string; pid: number } | null {
  const m = holder ? / pid (\d+)$/.exec(holder) : null;
  return m ? { host: holder!.slice(0, m.index), pid: Number(m[1]) } : null;
}

/** The host an export command ran on: where its directory is. */
export function writerHost(e: Pick<CliExportView, 'writtenBy'>): string | null {
  return writerOf(e.writtenBy)?.host ?? null;
}

/**
 * Whether the process an entry names is gone: only a process on this host can be asked (signal
 * 0); one elsewhere is taken as running.
 */
function processGone(holder: string | null): boolean {
  const w = writerOf(holder);
  if (!w || w.host !== hostname()) return false;
  try {
    process.kill(w.pid, 0);
    return false;
  } catch (err) {
    // EPERM: it lives, as another user
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function sourceOf(r: CliExportRow): CliExportSource {
  if (r.query !== null) return { kind: 'query', query: r.query };
  if (r.review_set_id !== null) {
    const tags = r.tags_json ? (JSON.parse(r.tags_json) as string[]) : [];
    return { kind: 'review-set', reviewSetId: Number(r.review_set_id), ...(tags.length ? { tags } : {}) };
  }
  return { kind: 'case' };
}

const iso = (ms: number | string | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

export function cliExportView(r: CliExportRow): CliExportView {
  const status =
    r.status === 'running' && processGone(r.holder) ? 'interrupted' : (r.status as CliExportView['status']);
  return {
    id: r.export_id!,
    caseId: r.case_id === null ? null : Number(r.case_id),
    format: r.format,
    source: sourceOf(r),
    status,
    directory: r.out_dir,
    writtenBy: r.holder,
    createdBy: r.created_by,
    createdAt: iso(r.created_at)!,
    finishedAt: iso(r.finished_at),
    counts: r.counts_json ? (JSON.parse(r.counts_json) as CliExportView['counts']) : null,
    manifestSha256: r.manifest_sha256,
    error: r.error,
  };
}

/** The case's exports made with the `export` command, the latest first. */
export async function cliExportsOfCase(store: Store, caseId: number): Promise<CliExportView[]> {
  return (await cliExportsOf(store.db, caseId)).map(cliExportView);
}

/** Every export made with the `export` command, of a case or of a query alone, the latest first. */
export async function allCliExportViews(store: Store): Promise<CliExportView[]> {
  return (await allCliExports(store.db)).map(cliExportView);
}
