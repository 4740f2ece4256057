/**
 * `retention add|list|lock|extend|enable|disable|remove|run`: retention policies and disposition
 * from the command line. Changes are made as the operating-system user (`os:alice`) and land in
 * the ingest log; a locked policy refuses here exactly what the store refuses everywhere.
 */
import { cliActor } from '../../compliance/audit/index.js';
import { ArchiverError } from '../../core/errors.js';
import {
  changePolicy,
  createPolicy,
  lock,
  policies,
  policy,
  remove,
  setPolicyEnabled,
  type RetentionPolicy,
} from '../../compliance/retention/index.js';
import { runDispositionOn } from '../../compliance/retention/wiring.js';
import { type CommonFlags, withStore } from '../context.js';
import { isoTime, printJson, table, type Io } from '../io.js';

interface JsonFlag extends CommonFlags {
  json?: boolean;
}

export interface AddFlags extends JsonFlag {
  name: string;
  days?: string;
  years?: string;
  action?: string;
  reviewer?: string;
  mailbox?: string[];
  connector?: string[];
  person?: string[];
  kind?: string[];
}

/** `--days D` or `--years Y`, exactly one, a whole number of at least 1. */
function period(flags: { days?: string; years?: string }, required: boolean) {
  if (flags.days !== undefined && flags.years !== undefined)
    throw new ArchiverError('WXA_RETENTION_INVALID', 'give --days or --years, not both');
  const [raw, unit] = flags.days !== undefined ? [flags.days, 'days' as const] : [flags.years, 'years' as const];
  if (raw === undefined) {
    if (required)
      throw new ArchiverError('WXA_RETENTION_INVALID', 'give the retention period with --days D or --years Y');
    return undefined;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new ArchiverError('WXA_RETENTION_INVALID', `--${unit} takes a whole number of at least 1, not "${raw}"`);
  return { value, unit };
}

function describe(p: RetentionPolicy): string[] {
  const scope = [
    p.scope.mailboxes.length ? `mailboxes ${p.scope.mailboxes.join(',')}` : 'every mailbox',
    ...(p.scope.connectors.length ? [`connectors ${p.scope.connectors.join(',')}`] : []),
    ...(p.scope.people.length ? [`people ${p.scope.people.join(',')}`] : []),
    ...(p.scope.kinds.length ? [`kinds ${p.scope.kinds.join(',')}`] : []),
  ].join('; ');
  return [
    p.id,
    p.name,
    `${p.period.value} ${p.period.unit}`,
    p.action + (p.reviewer ? ` (${p.reviewer})` : ''),
    p.enabled ? 'enabled' : 'disabled',
    p.locked ? `locked ${isoTime(p.lockedAt)}` : '-',
    scope,
  ];
}

export async function retentionAddCommand(flags: AddFlags, io: Io): Promise<number> {
  const p = await withStore(
    flags,
    (store) =>
      createPolicy(
        store.db,
        {
          name: flags.name,
          period: period(flags, true)!,
          action: (flags.action ?? 'delete') as 'delete' | 'review',
          scope: {
            mailboxes: flags.mailbox ?? [],
            connectors: flags.connector ?? [],
            people: flags.person ?? [],
            kinds: (flags.kind ?? []) as ('one-to-one' | 'group' | 'external')[],
          },
          ...(flags.reviewer ? { reviewer: flags.reviewer } : {}),
        },
        cliActor(),
        Date.now(),
      ),
    { create: true, io },
  );
  if (flags.json) printJson(io, p);
  else io.out(`${p.id}\n`);
  return 0;
}

export async function retentionListCommand(flags: JsonFlag, io: Io): Promise<number> {
  const all = await withStore(flags, (store) => policies(store.db));
  if (flags.json) printJson(io, { policies: all });
  else if (all.length === 0) io.out('no retention policy: everything is kept forever\n');
  else io.out(table([['ID', 'NAME', 'PERIOD', 'ACTION', 'STATE', 'LOCK', 'SCOPE'], ...all.map(describe)]));
  return 0;
}

export async function retentionLockCommand(id: string, flags: JsonFlag, io: Io): Promise<number> {
  const p = await withStore(flags, (store) => lock(store.db, id, cliActor(), Date.now()));
  if (flags.json) printJson(io, p);
  else io.out(`${p.id} is locked: it can now only be extended, never shortened, disabled or removed\n`);
  return 0;
}

export async function retentionExtendCommand(
  id: string,
  flags: JsonFlag & { days?: string; years?: string; name?: string },
  io: Io,
): Promise<number> {
  const per = period(flags, false);
  const p = await withStore(flags, (store) =>
    changePolicy(
      store.db,
      id,
      { ...(per ? { period: per } : {}), ...(flags.name ? { name: flags.name } : {}) },
      cliActor(),
      Date.now(),
    ),
  );
  if (flags.json) printJson(io, p);
  else io.out(`${p.id}: ${p.period.value} ${p.period.unit}\n`);
  return 0;
}

export async function retentionEnableCommand(id: string, enabled: boolean, flags: JsonFlag, io: Io): Promise<number> {
  const p = await withStore(flags, (store) => setPolicyEnabled(store.db, id, enabled, cliActor(), Date.now()));
  if (flags.json) printJson(io, p);
  else io.out(`${p.id} is ${p.enabled ? 'enabled' : 'disabled'}\n`);
  return 0;
}

export async function retentionRemoveCommand(id: string, flags: JsonFlag, io: Io): Promise<number> {
  await withStore(flags, async (store) => {
    await policy(store.db, id);
    await remove(store.db, id, cliActor(), Date.now());
  });
  if (flags.json) printJson(io, { removed: id });
  else io.out(`${id} removed\n`);
  return 0;
}

export async function retentionRunCommand(
  flags: JsonFlag & { dryRun?: boolean; batch?: string },
  io: Io,
): Promise<number> {
  const pageSize = flags.batch === undefined ? undefined : Number(flags.batch);
  if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1))
    throw new ArchiverError(
      'WXA_RETENTION_INVALID',
      `--batch takes a whole number of at least 1, not "${flags.batch}"`,
    );
  const r = await withStore(flags, (store) =>
    runDispositionOn(store, { now: Date.now(), dryRun: flags.dryRun === true, ...(pageSize ? { pageSize } : {}) }),
  );
  if (flags.json) {
    printJson(io, r);
    return 0;
  }
  if (r.dryRun && r.wouldGo.length > 0) {
    io.out(
      table([
        ['ACTION', 'POLICY', 'MAILBOX', 'MSGID', 'TIME'],
        ...r.wouldGo.map((g) => [g.action, g.policyId, g.mailbox, g.msgid, isoTime(g.msgTime)]),
      ]),
    );
  }
  io.out(
    `${r.dryRun ? 'dry run: would delete' : 'deleted'} ${r.deleted}, kept by hold ${r.keptByHold}, waiting for review ${r.waitingForReview}` +
      ` (still retained ${r.retained}, new review batches ${r.batchesCreated})\n` +
      'Copies already delivered to IMAP, Microsoft 365 or Gmail are outside the archive: disposition does not remove them.\n',
  );
  return 0;
}
