/**
 * `verify` and `checkpoint`: prove the archive complete and unaltered (exit 1 naming the first
 * broken thing), and sign a checkpoint of both logs' heads on demand. Meant for a scheduled
 * job: a full run weekly, `--since yesterday's date` daily.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ArchiverError } from '../../core/errors.js';
import { checkNewDir } from '../../core/out-dir.js';
import {
  checkpointIfChanged,
  formatVerifyText,
  evidenceKeyPath,
  trustedPublicKey,
  trustedTsaPem,
  verifyAndRecord,
  verifyArchive,
  writeEvidencePackage,
} from '../../compliance/evidence/index.js';
import { cliActor } from '../../compliance/audit/cli-read.js';
import { openConfiguredStore, resolveConfig, type CommonFlags } from '../context.js';
import { printJson, type Io } from '../io.js';
import { parseSince } from './report.js';

export interface VerifyFlags extends CommonFlags {
  json?: boolean;
  since?: string;
  publicKey?: string;
  tsaCa?: string;
}

export async function verifyCommand(flags: VerifyFlags, io: Io): Promise<number> {
  const cfg = await resolveConfig(flags);
  const store = await openConfiguredStore(cfg, flags);
  try {
    const publicKeyPem = await trustedPublicKey(evidenceKeyPath(cfg.dataDir, cfg.evidence.keyFile), flags.publicKey);
    const tsaCaPem = flags.tsaCa ? await readFile(flags.tsaCa, 'utf8') : await trustedTsaPem(cfg);
    const report = await verifyAndRecord(store, cfg, {
      ...(flags.since !== undefined ? { since: parseSince(flags.since) } : {}),
      keys: { ...(publicKeyPem ? { publicKeyPem } : {}), ...(tsaCaPem ? { tsaCaPem } : {}) },
      actor: cliActor(),
      via: 'cli',
    });
    if (flags.json) printJson(io, report);
    else io.out(formatVerifyText(report));
    return report.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

export async function checkpointCommand(flags: CommonFlags & { json?: boolean }, io: Io): Promise<number> {
  const cfg = await resolveConfig(flags);
  const store = await openConfiguredStore(cfg, flags);
  try {
    const result = await checkpointIfChanged(store.db, cfg, { force: true });
    if (flags.json) printJson(io, result);
    else {
      io.out(
        `checkpoint #${result!.statement.number} signed at ${result!.statement.at} (ingest ${result!.statement.ingest.events} events, audit ${result!.statement.audit.events} events)` +
          `${result!.timestamped ? ', time-stamped' : ''}${result!.tsaError ? `; NOT time-stamped: ${result!.tsaError}` : ''}\n`,
      );
    }
    return result?.tsaError ? 1 : 0;
  } finally {
    await store.close();
  }
}

export async function evidenceCommand(flags: VerifyFlags & { out: string }, io: Io): Promise<number> {
  const out = resolve(flags.out);
  // before the verification, which reads every blob: a package it cannot write fails first
  await checkNewDir('--out', out, 'write the package into a new or empty directory');
  const cfg = await resolveConfig(flags);
  const store = await openConfiguredStore(cfg, flags);
  try {
    const publicKeyPem = await trustedPublicKey(evidenceKeyPath(cfg.dataDir, cfg.evidence.keyFile), flags.publicKey);
    if (!publicKeyPem) {
      throw new ArchiverError(
        'WXA_EVIDENCE_KEY_INVALID',
        'no checkpoint has been signed yet (no evidence.key): run `wechat-archiver checkpoint` first',
      );
    }
    const tsaCaPem = flags.tsaCa ? await readFile(flags.tsaCa, 'utf8') : await trustedTsaPem(cfg);
    const report = await verifyArchive(store, { publicKeyPem, ...(tsaCaPem ? { tsaCaPem } : {}) });
    const pkg = await writeEvidencePackage(store.db, out, {
      publicKeyPem,
      report,
      ...(tsaCaPem ? { tsaCaPem } : {}),
    });
    if (flags.json) printJson(io, { ...pkg, verified: report.ok, firstBroken: report.firstBroken });
    else {
      io.out(
        `evidence package written to ${pkg.dir}: ${pkg.checkpoints} checkpoints (${pkg.timestamped} time-stamped), public key, verification report (${report.ok ? 'archive verified' : 'archive NOT verified'}); see its README.md\n`,
      );
    }
    return report.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}
