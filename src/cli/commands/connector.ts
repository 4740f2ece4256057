/** `connector check`: can each connector work? Exit 1 when any check fails. */
import { checkConnector, type CheckReport } from '../../pipeline/check.js';
import { getCursor } from '../../store/index.js';
import { openConfiguredStore, resolveConfig, type CommonFlags, type SandboxFlags } from '../context.js';
import { printJson, type Io } from '../io.js';
import { SOURCES } from '../../sources/index.js';

export async function connectorCheckCommand(
  flags: CommonFlags & SandboxFlags & { json?: boolean },
  io: Io,
): Promise<number> {
  const cfg = await resolveConfig(flags);
  const connectors = flags.connector ? cfg.connectors.filter((c) => c.id === flags.connector) : cfg.connectors;
  if (connectors.length === 0) {
    io.err('connector check: no connector configured; pass --sandbox DIR, or --config FILE\n');
    return 2;
  }
  // checked before the first run too: the archive may not be there yet
  const store = await openConfiguredStore(cfg, flags, { create: true, io });
  const reports: CheckReport[] = [];
  try {
    for (const c of connectors) {
      const cursor = (await getCursor(store.db, c.id)) ?? '0';
      reports.push(await checkConnector(c, { sources: SOURCES, db: store.db, cursor }));
    }
  } finally {
    await store.close();
  }
  if (flags.json) printJson(io, reports.length === 1 ? reports[0] : reports);
  else
    for (const r of reports) {
      io.out(`connector ${r.connectorId}: ${r.ok ? 'ready' : 'NOT ready'}\n`);
      for (const l of r.lines) io.out(`  ${l.ok ? 'ok  ' : 'FAIL'} ${l.check}: ${l.detail}\n`);
    }
  return reports.every((r) => r.ok) ? 0 : 1;
}
