/**
 * `verify-export DIR [--archive] [--json]`: checks an export directory against its manifest (every
 * file there, of its size and SHA-256; nothing there it does not list; the counts; each EML file
 * its item's archived MIME, each mbox its items' messages in order, each RSMF file's events its
 * items in order with the attachments they name). With `--archive`, also against the archive that made it (the data
 * directory or database the common options name): its audit log recorded this manifest's SHA-256
 * for the export, and each item is still archived with the same MIME hash. Exit 0 when all holds,
 * 1 naming each problem. Without `--archive` no archive is opened, so the receiving side runs it
 * on the directory alone.
 */
import { resolve } from 'node:path';
import { verifyExport, type ExportVerification } from '../../compliance/export/verify-export.js';
import { type CommonFlags, openConfiguredStore, resolveConfig } from '../context.js';
import { printJson, type Io } from '../io.js';

export interface VerifyExportFlags extends CommonFlags {
  archive?: boolean;
  json?: boolean;
}

function describe(v: ExportVerification, io: Io): void {
  const what = v.case ? `case ${v.case.id}${v.case.name ? ` (${v.case.name})` : ''}` : 'a query';
  io.out(`export ${v.exportId ?? '(no id)'}: ${v.format} of ${what}, by ${v.exportedBy}, started ${v.startedAt}\n`);
  io.out(`manifest.json sha256 ${v.manifestSha256}\n`);
  io.out(
    `checked ${v.checked.files} files (${v.checked.bytes} bytes) and ${v.checked.items} items against the manifest (it lists ${v.counts.files} files, ${v.counts.items} items)\n`,
  );
  if (v.archive) {
    const a = v.archive;
    const recorded = a.auditEvents.filter((e) => e.manifestSha256 === v.manifestSha256);
    io.out(
      a.manifestRecorded
        ? `archive: its audit log recorded this manifest for the export (event ${recorded.map((e) => `${e.id} at ${e.at} by ${e.actor}`).join('; ')})\n`
        : `archive: its audit log does not record this manifest for the export\n`,
    );
    io.out(
      `archive: ${a.itemsChecked} items checked against their archived MIME hash${a.itemsNotInArchive ? `; ${a.itemsNotInArchive} no longer in the archive (disposed of since, or not this archive's)` : ''}\n`,
    );
  }
  if (v.ok) {
    io.out('OK: every file is as the manifest lists it\n');
    return;
  }
  io.out(
    `\n${v.problemCount} problem${v.problemCount === 1 ? '' : 's'}${v.problemCount > v.problems.length ? ` (the first ${v.problems.length} listed)` : ''}:\n`,
  );
  for (const p of v.problems) io.out(`  ${p.problem}: ${p.detail}\n`);
  io.out('FAILED: the export is not as its manifest lists it\n');
}

/** Prints the verification (JSON or text); exit 0 when all holds, 1 when a problem was found. */
function report(v: ExportVerification, flags: VerifyExportFlags, io: Io): number {
  if (flags.json) printJson(io, v);
  else describe(v, io);
  return v.ok ? 0 : 1;
}

export async function verifyExportCommand(dir: string, flags: VerifyExportFlags, io: Io): Promise<number> {
  const at = resolve(dir);
  if (!flags.archive) return report(await verifyExport(at), flags, io);
  const cfg = await resolveConfig(flags, true);
  // opening a data directory that holds no archive would make an empty one, and then report
  // every item as not this archive's
  const store = await openConfiguredStore(cfg, flags, {
    command: 'verify-export --archive',
    whose: 'that made the export',
  });
  try {
    return report(await verifyExport(at, { store }), flags, io);
  } finally {
    await store.close();
  }
}
