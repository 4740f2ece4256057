/**
 * `audit verify`: recomputes the hash chain of the audit log and says whether any event was
 * altered, inserted or removed in the middle, naming the first one that does not fit. Meant for
 * a scheduled job; it exits 1 when the chain is broken.
 */
import { verifyAudit } from '../../compliance/audit/index.js';
import { openStore } from '../../store/index.js';
import { resolveConfig, type CommonFlags } from '../context.js';
import { printJson, type Io } from '../io.js';

export async function auditVerifyCommand(flags: CommonFlags & { json?: boolean }, io: Io): Promise<number> {
  const cfg = await resolveConfig(flags);
  const store = await openStore(cfg.dataDir);
  try {
    const result = await verifyAudit(store.db);
    if (flags.json) printJson(io, result);
    else if (result.ok) io.out(`audit log intact: ${result.events} events, hash chain verified\n`);
    else {
      io.out(
        `audit log BROKEN at event ${result.firstBad?.id}: ${result.firstBad?.reason}; ${result.events} events checked\n`,
      );
    }
    return result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}
