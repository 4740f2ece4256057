/** Defensible export: EML with load files, mbox, each with a manifest and a resumable journal. */
export {
  runExport,
  EXPORT_FORMATS,
  controlNumber,
  custodianFolder,
  type ExportFormat,
  type ExportResult,
} from './run.js';
export { splitMboxrd, mboxrdEntry } from './mboxrd.js';
export { LOAD_FIELDS } from './load-file.js';
export { MANIFEST_NAME, sha256File } from './manifest.js';
export type { ExportRequest } from './selection.js';
