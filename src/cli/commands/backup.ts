/**
 * `backup --to DIR` (a consistent, incremental copy of a live archive; `--check` only says what
 * the newest backup lacks) and `restore --from DIR --data-dir NEW` (then verifies the result).
 */
import { resolve } from 'node:path';
import { checkDirOrAbsent } from '../../core/out-dir.js';
import { compareBackup, restoreBackup, runBackup } from '../../compliance/backup/index.js';
import { formatVerifyText, trustedPublicKey, verifyArchive, evidenceKeyPath } from '../../compliance/evidence/index.js';
import { openStore } from '../../store/index.js';
import { openConfiguredStore, resolveConfig, type CommonFlags } from '../context.js';
import { printJson, type Io } from '../io.js';

export async function backupCommand(
  flags: CommonFlags & { to: string; json?: boolean; check?: boolean },
  io: Io,
): Promise<number> {
  const cfg = await resolveConfig(flags);
  const to = resolve(flags.to);
  await checkDirOrAbsent('--to', to, 'back up into a directory of its own (kept on another disk or machine)');
  const store = await openConfiguredStore(cfg, flags);
  try {
    if (flags.check) {
      const c = await compareBackup(store.db, to);
      if (flags.json) printJson(io, c);
      else if (!c.sameHistory)
        io.out(
          `the backup in ${to} (${c.backupAt}) is NOT a copy of this archive: its chain heads are not in this archive's logs\n`,
        );
      else if (!c.behind) io.out(`the backup in ${to} (${c.backupAt}) holds everything this archive holds\n`);
      else {
        const parts = Object.entries(c.missing).map(([k, n]) => `${n} ${k}`);
        io.out(
          `the backup in ${to} is OLDER than the archive: since ${c.backupAt} it lacks ${parts.join(', ') || 'no ingest events'}, ` +
            `${c.auditEventsSince} audit events and ${c.checkpointsSince} checkpoints; run backup again\n`,
        );
      }
      return c.sameHistory && !c.behind ? 0 : 1;
    }
    const m = await runBackup(store.db, cfg, to);
    if (flags.json) printJson(io, m);
    else {
      io.out(
        `backup ${m.snapshot} in ${to}: ${m.counts.items} items, ${m.counts.mailboxEntries} mailbox entries, ${m.counts.blobFiles} blob files (${m.newBlobFiles} new, ${m.newBlobBytes} bytes copied); ` +
          `ingest head ${m.ingest.head.slice(0, 16)} at event ${m.ingest.lastEventId}${m.checkpoint ? `, checkpoint #${m.checkpoint.number}` : ''}\n`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}

export async function restoreCommand(
  flags: { from: string; dataDir: string; json?: boolean; publicKey?: string },
  io: Io,
): Promise<number> {
  const dataDir = resolve(flags.dataDir);
  const { manifest, blobFiles } = await restoreBackup(resolve(flags.from), dataDir);
  const store = await openStore(dataDir);
  try {
    const publicKeyPem = await trustedPublicKey(evidenceKeyPath(dataDir), flags.publicKey);
    const report = await verifyArchive(store, { ...(publicKeyPem ? { publicKeyPem } : {}) });
    if (flags.json) printJson(io, { restored: manifest, blobFiles, verification: report });
    else {
      io.out(
        `restored backup ${manifest.snapshot} (${manifest.createdAt}) into ${dataDir}: ${manifest.counts.items} items, ${blobFiles} blob files\n`,
      );
      io.out(formatVerifyText(report));
    }
    return report.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}
