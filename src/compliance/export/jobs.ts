/**
 * Exports of a case run from the console: started as a background job (the request returns at
 * once), written under the data directory (`exports/<case>/<export id>/`), their progress kept in
 * memory while they run and their outcome in the database, so the case lists them after a
 * restart. An export the process was stopped in the middle of shows as interrupted and is
 * resumed by the export's own journal.
 *
 * With several console processes on one database (`serve --role console`), each export row
 * names the process writing it (its heartbeat lease) and carries its progress, written at most
 * once a second: every console shows it running with that progress, and resuming it is refused
 * while its writer lives, so two processes never write one export's directory. Who started it is audited here; the export itself is
 * audited with its manifest's hash by runExport.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ArchiverError } from '../../core/errors.js';
import {
  allExportJobs,
  exportJob,
  exportJobsOf,
  finishExportJob,
  insertExportJob,
  claimExportJob,
  saveExportProgress,
  type ExportJobRow,
  type Store,
} from '../../store/index.js';
import { appendAudit } from '../audit/index.js';
import { ipOf, listReviewSets, listSavedSearches, requireExportableCase, type Actor } from '../cases/index.js';
import { loadPdfFont, type PdfFontSetting } from './pdf-font.js';
import type { ExportJobView, ExportProgress, ExportSource } from './job-types.js';
import { runExport, type ExportFormat } from './run.js';
import type { ExportRequest } from './selection.js';

export type { ExportJobView, ExportSource } from './job-types.js';

export interface ExportJobsDeps {
  store: Store;
  dataDir: string;
  pdfFont: PdfFontSetting;
  now: () => number;
  /** a background export's failure, for the log (never message content) */
  onError?: (jobId: string, err: unknown) => void;
  /**
   * This process among several on the database: the owner of its heartbeat lease, and how
   * people know it (host, pid). Absent for the single process.
   */
  process?: { owner: string; holder: string };
}

/** Least time between two progress writes of one export, for the other consoles. */
const PROGRESS_WRITE_MS = 1000;

export class ExportJobs {
  private readonly running = new Map<string, ExportProgress>();
  private readonly progressWritten = new Map<string, number>();

  constructor(private readonly deps: ExportJobsDeps) {}

  /** Where an export's files are. */
  dirOf(caseId: number, id: string): string {
    return consoleExportDir(this.deps.dataDir, caseId, id);
  }

  async start(caseId: number, format: ExportFormat, source: ExportSource, actor: Actor): Promise<ExportJobView> {
    const { store, now } = this.deps;
    await requireExportableCase(store.db, caseId);
    const described = await this.describe(caseId, source);
    // Refused now rather than failed later: no CJK font, no PDF.
    if (format === 'pdf') await loadPdfFont(this.deps.pdfFont);
    const id = randomUUID();
    const at = now();
    await insertExportJob(store.db, {
      id,
      case_id: caseId,
      format,
      source_json: JSON.stringify(described),
      status: 'running',
      created_by: actor.username,
      created_at: at,
      finished_at: null,
      items: null,
      files: null,
      bytes: null,
      manifest_sha256: null,
      error: null,
      owner: this.deps.process?.owner ?? null,
      holder: this.deps.process?.holder ?? null,
      progress_json: null,
    });
    await appendAudit(
      store.db,
      {
        actor: actor.username,
        action: 'case.export.start',
        target: String(caseId),
        detail: { exportId: id, format, ...described },
        ...ipOf(actor),
      },
      at,
    );
    this.launch(caseId, id, format, described, actor);
    return this.get(caseId, id);
  }

  /**
   * Resumes an interrupted or failed export from its journal. One that is done, or that this or
   * another live process is writing, is answered as it is: taking it over is one conditional
   * update, so only one of several consoles resuming it at once starts a writer.
   */
  async resume(caseId: number, id: string, actor: Actor): Promise<ExportJobView> {
    const row = await this.get(caseId, id);
    if (this.running.has(id) || row.status === 'done' || row.status === 'running') return row;
    const me = this.deps.process;
    const took = await claimExportJob(
      this.deps.store.db,
      id,
      { owner: me?.owner ?? null, holder: me?.holder ?? null },
      this.deps.now(),
    );
    if (!took) return this.get(caseId, id);
    await appendAudit(
      this.deps.store.db,
      {
        actor: actor.username,
        action: 'case.export.resume',
        target: String(caseId),
        detail: { exportId: id },
        ...ipOf(actor),
      },
      this.deps.now(),
    );
    this.launch(caseId, id, row.format as ExportFormat, row.source, actor);
    return this.get(caseId, id);
  }

  async list(caseId: number): Promise<ExportJobView[]> {
    return (await exportJobsOf(this.deps.store.db, caseId, this.deps.now())).map((r) => this.view(r));
  }

  async get(caseId: number, id: string): Promise<ExportJobView> {
    const row = await exportJob(this.deps.store.db, caseId, id, this.deps.now());
    if (!row) throw new ArchiverError('WXA_NOT_FOUND', `case ${caseId} has no export ${id}`);
    return this.view(row);
  }

  private launch(
    caseId: number,
    id: string,
    format: ExportFormat,
    source: ExportJobView['source'],
    actor: Actor,
  ): void {
    const { store, now } = this.deps;
    this.running.set(id, { phase: 'items', done: 0, total: 0 });
    const req: ExportRequest =
      'savedSearchId' in source
        ? { caseId, query: source.query ?? '' }
        : { caseId, reviewSetId: source.reviewSetId, ...(source.tags?.length ? { tags: source.tags } : {}) };
    void runExport(
      store,
      {
        ...req,
        format,
        outDir: this.dirOf(caseId, id),
        actor: actor.username,
        ...ipOf(actor),
        exportId: id,
        pdfFont: this.deps.pdfFont,
        onProgress: (p) => this.progressed(id, p),
      },
      now,
    )
      .then(
        (res) =>
          finishExportJob(store.db, id, {
            status: 'done',
            at: now(),
            ...res.counts,
            manifestSha256: res.manifestSha256,
          }),
        async (err: unknown) => {
          this.deps.onError?.(id, err);
          await finishExportJob(store.db, id, { status: 'failed', at: now(), error: (err as Error).message });
        },
      )
      // the store closed under a running export (the server stopped): its row stays running and
      // the case shows it as interrupted, to be resumed
      .catch((err: unknown) => this.deps.onError?.(id, err))
      .finally(() => {
        this.running.delete(id);
        this.progressWritten.delete(id);
      });
  }

  /**
   * Keeps a running export's progress: in memory for this console, and in its row (at most once
   * a second, and at each new phase) for consoles in other processes. A failed write only
   * delays what the others show.
   */
  private progressed(id: string, p: ExportProgress): void {
    const before = this.running.get(id);
    this.running.set(id, p);
    const me = this.deps.process;
    if (!me) return;
    const at = this.deps.now();
    const last = this.progressWritten.get(id) ?? 0;
    if (before?.phase === p.phase && at - last < PROGRESS_WRITE_MS && p.done < p.total) return;
    this.progressWritten.set(id, at);
    saveExportProgress(this.deps.store.db, id, me.owner, JSON.stringify(p)).catch((err: unknown) =>
      this.deps.onError?.(id, err),
    );
  }

  /** The source as stored: with the saved search's query and name, or the review set's name. */
  private async describe(caseId: number, source: ExportSource): Promise<ExportJobView['source']> {
    const db = this.deps.store.db;
    if ('savedSearchId' in source) {
      const s = (await listSavedSearches(db, caseId)).find((x) => x.id === source.savedSearchId);
      if (!s) throw new ArchiverError('WXA_NOT_FOUND', `case ${caseId} has no saved search ${source.savedSearchId}`);
      return { savedSearchId: s.id, query: s.query, name: s.name };
    }
    const set = (await listReviewSets(db, caseId)).find((x) => x.id === source.reviewSetId);
    if (!set) throw new ArchiverError('WXA_NOT_FOUND', `case ${caseId} has no review set ${source.reviewSetId}`);
    return { reviewSetId: set.id, name: set.name, ...(source.tags?.length ? { tags: [...source.tags].sort() } : {}) };
  }

  private view(r: ExportJobRow): ExportJobView {
    const here = this.running.get(r.id);
    // Running elsewhere: its owner (another process, not this one) still holds its heartbeat.
    const elsewhere =
      !here && r.status === 'running' && r.owner !== null && r.owner !== this.deps.process?.owner && r.owner_alive;
    const status =
      here || elsewhere ? 'running' : r.status === 'running' ? 'interrupted' : (r.status as 'done' | 'failed');
    const progress = here ?? (elsewhere && r.progress_json ? (JSON.parse(r.progress_json) as ExportProgress) : null);
    return { ...jobView(r, status, progress), filesHere: existsSync(this.dirOf(Number(r.case_id), r.id)) };
  }
}

/** A console export as its row gives it: whether its files are still there is for whoever knows where they are. */
export type SeenExport = Omit<ExportJobView, 'filesHere'>;

function jobView(r: ExportJobRow, status: ExportJobView['status'], progress: ExportProgress | null): SeenExport {
  return {
    id: r.id,
    caseId: Number(r.case_id),
    format: r.format,
    source: JSON.parse(r.source_json) as ExportJobView['source'],
    status,
    writtenBy: r.holder,
    createdBy: r.created_by,
    createdAt: new Date(Number(r.created_at)).toISOString(),
    finishedAt: r.finished_at === null ? null : new Date(Number(r.finished_at)).toISOString(),
    counts:
      r.items === null ? null : { items: Number(r.items), files: Number(r.files ?? 0), bytes: Number(r.bytes ?? 0) },
    manifestSha256: r.manifest_sha256,
    error: r.error,
    progress,
  };
}

/** Where a console export's files are, under the data directory. */
export function consoleExportDir(dataDir: string, caseId: number, id: string): string {
  return join(dataDir, 'exports', String(caseId), id);
}

/**
 * The case's console exports as a process other than the consoles sees them (`case show`): one
 * the row says is running is running while its owner's heartbeat lives, or when it has no owner
 * (the single console process, which alone can tell whether it still writes it); interrupted
 * once its owner's heartbeat has lapsed.
 */
export async function consoleExportsOfCase(store: Store, caseId: number, now: number): Promise<SeenExport[]> {
  return (await exportJobsOf(store.db, caseId, now)).map(seenFromOutside);
}

/** Every case's console exports, the latest first, as consoleExportsOfCase sees them. */
export async function allConsoleExports(store: Store, now: number): Promise<SeenExport[]> {
  return (await allExportJobs(store.db, now)).map(seenFromOutside);
}

function seenFromOutside(r: ExportJobRow): SeenExport {
  const status =
    r.status !== 'running'
      ? (r.status as 'done' | 'failed')
      : r.owner === null || r.owner_alive
        ? 'running'
        : 'interrupted';
  const progress = status === 'running' && r.progress_json ? (JSON.parse(r.progress_json) as ExportProgress) : null;
  return jobView(r, status, progress);
}
