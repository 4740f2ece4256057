/**
 * The subcommands, each loaded only when it runs. A process runs one command, so it should load
 * what that command needs and nothing else: imported up front, every command's dependencies
 * (the console's HTTP server, the export formats, PDF, the S3 client...) took a fresh process
 * from about 40 MB to about 140 MB before it did any work, which counted in the pipeline's
 * peak memory. Each export has the type of the command it stands for.
 */

export function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K): M[K] {
  const run = async (...args: unknown[]) => {
    const fn = (await load())[name] as unknown as (...a: unknown[]) => Promise<number>;
    return fn(...args);
  };
  return run as unknown as M[K];
}

export const connectorCheckCommand = lazy(() => import('./commands/connector.js'), 'connectorCheckCommand');
export const mappingCheckCommand = lazy(() => import('./commands/mapping.js'), 'mappingCheckCommand');
export const itemShowCommand = lazy(() => import('./commands/read.js'), 'itemShowCommand');
export const mailboxListCommand = lazy(() => import('./commands/read.js'), 'mailboxListCommand');
export const mailboxShowCommand = lazy(() => import('./commands/read.js'), 'mailboxShowCommand');
export const statusCommand = lazy(() => import('./commands/read.js'), 'statusCommand');
export const reportCommand = lazy(() => import('./commands/report.js'), 'reportCommand');
export const runCommand = lazy(() => import('./commands/run.js'), 'runCommand');
export const sandboxGenerateCommand = lazy(() => import('./commands/sandbox.js'), 'sandboxGenerateCommand');
export const serveCommand = lazy(() => import('./commands/serve.js'), 'serveCommand');
export const auditExportCommand = lazy(() => import('./commands/audit.js'), 'auditExportCommand');
export const auditPruneCommand = lazy(() => import('./commands/audit.js'), 'auditPruneCommand');
export const auditVerifyCommand = lazy(() => import('./commands/audit.js'), 'auditVerifyCommand');
export const reindexCommand = lazy(() => import('./commands/search.js'), 'reindexCommand');
export const searchCommand = lazy(() => import('./commands/search.js'), 'searchCommand');
export const backupCommand = lazy(() => import('./commands/backup.js'), 'backupCommand');
export const restoreCommand = lazy(() => import('./commands/backup.js'), 'restoreCommand');
export const checkpointCommand = lazy(() => import('./commands/verify.js'), 'checkpointCommand');
export const evidenceCommand = lazy(() => import('./commands/verify.js'), 'evidenceCommand');
export const verifyCommand = lazy(() => import('./commands/verify.js'), 'verifyCommand');
export const caseCreateCommand = lazy(() => import('./commands/cases.js'), 'caseCreateCommand');
export const caseListCommand = lazy(() => import('./commands/cases.js'), 'caseListCommand');
export const caseShowCommand = lazy(() => import('./commands/cases.js'), 'caseShowCommand');
export const caseStatusCommand = lazy(() => import('./commands/cases.js'), 'caseStatusCommand');
export const holdAddCommand = lazy(() => import('./commands/cases.js'), 'holdAddCommand');
export const holdListCommand = lazy(() => import('./commands/cases.js'), 'holdListCommand');
export const holdReleaseCommand = lazy(() => import('./commands/cases.js'), 'holdReleaseCommand');
export const itemDeleteCommand = lazy(() => import('./commands/cases.js'), 'itemDeleteCommand');
export const exportCommand = lazy(() => import('./commands/export.js'), 'exportCommand');
export const exportListCommand = lazy(() => import('./commands/export-list.js'), 'exportListCommand');
export const verifyExportCommand = lazy(() => import('./commands/verify-export.js'), 'verifyExportCommand');
export const supervisionAddCommand = lazy(() => import('./commands/supervision.js'), 'supervisionAddCommand');
export const supervisionApplyCommand = lazy(() => import('./commands/supervision.js'), 'supervisionApplyCommand');
export const supervisionListCommand = lazy(() => import('./commands/supervision.js'), 'supervisionListCommand');
export const supervisionQueueCommand = lazy(() => import('./commands/supervision.js'), 'supervisionQueueCommand');
export const supervisionReportCommand = lazy(() => import('./commands/supervision.js'), 'supervisionReportCommand');
export const migrateStoreCommand = lazy(() => import('./commands/migrate-store.js'), 'migrateStoreCommand');
