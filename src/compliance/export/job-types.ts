/**
 * What the export API answers with: a case's export jobs and where a running one is. Types only
 * and no imports, so that the console reads them through src/server/contract.ts.
 */

/** Where an export is: items journaled (`items`), then files written from the journal (`files`). */
export interface ExportProgress {
  phase: 'items' | 'files' | 'manifest';
  done: number;
  total: number;
}

/** What a console export covers: a saved search of the case, or a review set (some tags only). */
export type ExportSource = { savedSearchId: number } | { reviewSetId: number; tags?: string[] };

/** What a case says of each of its exports, from the console or the `export` command. */
export interface ExportRecordView {
  id: string;
  format: string;
  /**
   * running: a live process is writing it now; interrupted: the process writing it stopped
   * (resume it: from the console, or by running the same command again)
   */
  status: 'running' | 'done' | 'failed' | 'interrupted';
  /** the process that writes (or wrote) its files, host and pid; null for the single console process */
  writtenBy: string | null;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
  counts: { items: number; files: number; bytes: number } | null;
  manifestSha256: string | null;
  error: string | null;
}

/** An export run by the console (this process or another console process on the database). */
export interface ExportJobView extends ExportRecordView {
  caseId: number;
  source: ExportSource & { query?: string; name?: string };
  progress: ExportProgress | null;
  /**
   * whether its directory is in this console's data directory: false once its files were moved
   * or removed (handed over, cleaned up), or when another console process that does not share
   * this data directory wrote it; then there is nothing here to download or verify
   */
  filesHere: boolean;
}

/** What an export made with the `export` command covers. */
export type CliExportSource =
  | { kind: 'query'; query: string }
  /** everything the case's active holds preserve */
  | { kind: 'case' }
  | { kind: 'review-set'; reviewSetId: number; tags?: string[] };

/**
 * An export made with the `export` command on the server, as its case lists it beside the
 * console's: its files are where the command wrote them, not in the console's data directory.
 * Its id is the one its journal and manifest carry. Running: its process is writing it, or runs
 * on another host, which cannot be asked.
 */
export interface CliExportView extends ExportRecordView {
  caseId: number | null;
  source: CliExportSource;
  /** the directory the command wrote it into, on the host that ran it */
  directory: string;
  /**
   * where it is listed with a look at that directory (`export list`, `case show`, the console):
   * false once it is no longer there (its files handed over or cleaned up); null when it was
   * made on another host, which this one cannot look at
   */
  filesHere?: boolean | null;
}

/** What is wrong with one file or item (`path`: the export's own path, or the item's key). */
export interface ExportProblem {
  path: string;
  problem:
    | 'missing'
    | 'not-a-file'
    | 'size'
    | 'sha256'
    | 'not-listed'
    | 'item-file'
    | 'counts'
    | 'archive-hash'
    | 'not-audited'
    | 'manifest-altered';
  detail: string;
}

export interface ExportVerification {
  dir: string;
  manifestSha256: string;
  exportId: string | null;
  format: string;
  case: { id: number; name: string | null } | null;
  exportedBy: string;
  startedAt: string;
  /** as the manifest gives them */
  counts: { items: number; files: number; bytes: number };
  /** what was read and hashed */
  checked: { files: number; bytes: number; items: number };
  /** the first problems found (at most PROBLEMS_LISTED), and how many there are in all */
  problems: ExportProblem[];
  problemCount: number;
  /** with the archive that made it (`archive` given) */
  archive?: {
    /** the archive's audit events of this export, with the manifest hash each recorded */
    auditEvents: { id: number; at: string; actor: string; manifestSha256: string | null }[];
    manifestRecorded: boolean;
    itemsChecked: number;
    /** items the archive no longer holds (disposed of since, or another archive's export) */
    itemsNotInArchive: number;
  };
  ok: boolean;
}
