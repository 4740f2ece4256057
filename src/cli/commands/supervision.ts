/**
 * `supervision add | list | apply | queue | report`: policies and their review queue from the
 * command line. The actor of a CLI change is the OS user, as for every other CLI write.
 */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import cliProgress from 'cli-progress';
import {
  applyPolicyToHistory,
  createSupervisionPolicy,
  lexiconIsEmpty,
  listPolicies,
  queueItemOf,
  supervisionReport,
} from '../../compliance/supervision/index.js';
import { isArchiverError } from '../../core/errors.js';
import { listSupervisionFlags } from '../../store/index.js';
import { type CommonFlags, withStore } from '../context.js';
import { printJson, type Io } from '../io.js';

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? 'unknown';
  }
}

/** A supervision error the user can fix: its message on stderr (or as JSON), exit 2. */
function userError(err: unknown, io: Io, json: boolean | undefined, cmd: string): number {
  if (
    !isArchiverError(err, 'WXA_SUPERVISION_LEXICON_INVALID') &&
    !isArchiverError(err, 'WXA_SUPERVISION_POLICY_INVALID') &&
    !isArchiverError(err, 'WXA_NOT_FOUND')
  )
    throw err;
  if (json) printJson(io, { error: { code: err.code, message: err.message, ...err.details } });
  else io.err(`supervision ${cmd}: ${err.message}\n`);
  return 2;
}

export interface SupervisionAddFlags extends CommonFlags {
  name: string;
  lexicon?: string;
  sample?: string;
  reviewer?: string[];
  type?: string[];
  external?: boolean;
  attachmentType?: string[];
  supervised?: string[];
  json?: boolean;
}

export async function supervisionAddCommand(flags: SupervisionAddFlags, io: Io): Promise<number> {
  const sample = flags.sample === undefined ? undefined : Number(flags.sample.replace(/%$/, ''));
  if (sample !== undefined && (!Number.isFinite(sample) || sample < 0 || sample > 100)) {
    io.err(`supervision add: --sample takes a percentage from 0 to 100, not "${flags.sample}"\n`);
    return 2;
  }
  let lexicon: string | undefined;
  if (flags.lexicon !== undefined) {
    try {
      lexicon = await readFile(flags.lexicon, 'utf8');
    } catch (err) {
      io.err(`supervision add: cannot read the lexicon ${flags.lexicon}: ${(err as Error).message}\n`);
      return 2;
    }
    // A file given that holds no term is the wrong file, whatever else the policy flags (a bad
    // line is left to the policy's own check, which names it).
    if (lexiconIsEmpty(lexicon)) {
      io.err(
        `supervision add: the lexicon ${flags.lexicon} holds no term; write one term or phrase a line (# starts a comment)\n`,
      );
      return 2;
    }
  }
  return withStore(
    flags,
    async (store) => {
      try {
        const p = await createSupervisionPolicy(
          store.db,
          {
            name: flags.name,
            ...(lexicon !== undefined ? { lexicon, lexiconSource: flags.lexicon! } : {}),
            ...(sample !== undefined ? { samplePercent: sample } : {}),
            reviewers: flags.reviewer ?? [],
            msgtypes: flags.type ?? [],
            external: flags.external ?? false,
            attachmentTypes: flags.attachmentType ?? [],
            supervised: flags.supervised ?? null,
          },
          osUser(),
        );
        if (flags.json) printJson(io, p);
        else
          io.out(
            `${p.id}\n` +
              `policy ${p.id} "${p.name}": ${p.conditions.terms.length} terms, sample ${p.conditions.sampleBasisPoints / 100}%; ` +
              `flags items archived from now on; run "supervision apply ${p.id}" for the history\n`,
          );
        return 0;
      } catch (err) {
        return userError(err, io, flags.json, 'add');
      }
    },
    { create: true, io },
  );
}

export async function supervisionListCommand(flags: CommonFlags & { json?: boolean }, io: Io): Promise<number> {
  return withStore(flags, async (store) => {
    const policies = await listPolicies(store.db);
    if (flags.json) printJson(io, { policies });
    else
      for (const p of policies)
        io.out(
          `${p.id}  ${p.name}  v${p.version}  ${p.enabled ? 'enabled' : 'disabled'}  ${p.conditions.terms.length} terms  ` +
            `sample ${p.conditions.sampleBasisPoints / 100}%  reviewers: ${p.reviewers.join(', ') || '-'}\n`,
        );
    return 0;
  });
}

export async function supervisionApplyCommand(
  policyId: string,
  flags: CommonFlags & { json?: boolean },
  io: Io,
): Promise<number> {
  const id = Number(policyId);
  if (!Number.isInteger(id) || id < 1) {
    io.err(`supervision apply: POLICY_ID is a policy number (see "supervision list"), not "${policyId}"\n`);
    return 2;
  }
  return withStore(flags, async (store) => {
    const bar =
      !flags.json && io.tty
        ? new cliProgress.SingleBar({ format: 'apply [{bar}] {value}/{total} items, {flagged} flagged' })
        : undefined;
    let started = false;
    try {
      const s = await applyPolicyToHistory(store, id, {
        onProgress: (p) => {
          if (!bar) return;
          if (!started) {
            bar.start(Math.max(p.total, 1), p.done, { flagged: p.flagged });
            started = true;
          }
          bar.setTotal(Math.max(p.total, 1));
          bar.update(p.done, { flagged: p.flagged });
        },
      });
      bar?.stop();
      if (flags.json) printJson(io, s);
      else
        io.out(
          `policy ${s.policyId} (version ${s.policyVersion}) applied to ${s.done} items${s.resumed ? ' (resumed)' : ''}: ` +
            `${s.flagged} flagged in ${(s.durationMs / 1000).toFixed(1)} s\n`,
        );
      return 0;
    } catch (err) {
      bar?.stop();
      return userError(err, io, flags.json, 'apply');
    }
  });
}

export async function supervisionQueueCommand(
  flags: CommonFlags & { policy?: string; state?: string; json?: boolean },
  io: Io,
): Promise<number> {
  const policyId = flags.policy === undefined ? undefined : Number(flags.policy);
  if (policyId !== undefined && (!Number.isInteger(policyId) || policyId < 1)) {
    io.err(`supervision queue: --policy is a policy number, not "${flags.policy}"\n`);
    return 2;
  }
  return withStore(flags, async (store) => {
    const rows = await listSupervisionFlags(store.db, {
      ...(policyId !== undefined ? { policyId } : {}),
      ...(flags.state ? { state: flags.state } : {}),
    });
    const items = rows.map(queueItemOf);
    if (flags.json) printJson(io, { total: items.length, items });
    else {
      io.out(`${items.length} flagged item${items.length === 1 ? '' : 's'}\n`);
      for (const i of items)
        io.out(
          `${i.time.replace('.000Z', 'Z')}  [${i.state}${i.tag ? `, ${i.tag}` : ''}]  policy ${i.policy.id}  ${i.msgid}  ` +
            `${i.reasons.join(', ')}${i.terms.length ? `: ${i.terms.join(' | ')}` : ''}\n`,
        );
    }
    return 0;
  });
}

export async function supervisionReportCommand(flags: CommonFlags & { json?: boolean }, io: Io): Promise<number> {
  return withStore(flags, async (store) => {
    const r = await supervisionReport(store.db);
    if (flags.json) {
      printJson(io, r);
      return 0;
    }
    const age = (s: number | null) =>
      s === null ? '-' : `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
    io.out('policy                         flagged  reviewed  open  oldest open\n');
    for (const p of r.policies)
      io.out(
        `${`${p.policyId} ${p.name}`.padEnd(30)} ${String(p.flagged).padStart(7)} ${String(p.reviewed).padStart(9)} ${String(p.open).padStart(5)}  ${age(p.oldestOpenAgeSeconds)}\n`,
      );
    io.out('reviewer                       assigned  reviewed  open  oldest open\n');
    for (const p of r.reviewers)
      io.out(
        `${p.reviewer.padEnd(30)} ${String(p.flagged).padStart(8)} ${String(p.reviewed).padStart(9)} ${String(p.open).padStart(5)}  ${age(p.oldestOpenAgeSeconds)}\n`,
      );
    return 0;
  });
}
