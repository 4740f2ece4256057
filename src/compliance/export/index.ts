/** Defensible export: EML with load files, mbox, RSMF and PDF transcripts, each with a manifest and a resumable journal. */
export {
  runExport,
  EXPORT_FORMATS,
  controlNumber,
  custodianFolder,
  type ExportFormat,
  type ExportProgress,
  type ExportResult,
  type RunExportRequest,
} from './run.js';
export { loadPdfFont, DEFAULT_PDF_FONTS, type PdfFontSetting } from './pdf-font.js';
export { splitMboxrd, mboxrdEntry } from './mboxrd.js';
export { LOAD_FIELDS } from './load-file.js';
export { MANIFEST_NAME, sha256File } from './manifest.js';
export type { ExportRequest } from './selection.js';
export { ExportJobs, consoleExportDir, consoleExportsOfCase, type ExportJobView, type ExportSource } from './jobs.js';
export { zipExport, exportFiles } from './zip-stream.js';
export {
  cliExportEntry,
  cliExportsOfCase,
  writerHost,
  type CliExportView,
  type CliExportSource,
} from './cli-register.js';
export { cliFilesHere, listExports, type ListedExport } from './listing.js';
export { verifyExport, type ExportVerification, type ExportProblem } from './verify-export.js';
