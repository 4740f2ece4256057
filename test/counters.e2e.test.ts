// The same archive counted three ways agrees: `status --json`, `report --json` and the console
// API give the same numbers for every counter, and they add up (at source = archived + held +
// failed). The archive has what makes counting hard: people no mapping covers, a mapping change
// that releases some of them, records held for a missing key and released when it is added,
// messages the source sent twice, a connector whose every record is held, and a retention
// policy that deleted one mailbox's entries (and the items no other mailbox kept).
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { SecretBox } from '../src/security/index.js';
import { buildApp } from '../src/server/app.js';
import type { ConnectorDetail, ConnectorSummary, ProblemsResponse } from '../src/server/contract.js';
import { generateTenant, readTenant } from '../src/sources/sandbox/index.js';
import {
  destinationCounters,
  openStore,
  recordCounters,
  type RecordCounters,
  type Report,
} from '../src/store/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { userWith, type Client, type ConsoleHarness } from './helpers/console.js';
import { appendDecrypted } from './helpers/sandbox-replay.js';

const MESSAGES = 300;
const DUPLICATED = 4;
const SILENT_MESSAGES = 30;

interface StatusConnector {
  id: string;
  counters: RecordCounters;
  records: { done: number; held: number; failed: number; pending: number; duplicate: number };
  holds: { reason: string; records: number; archivedPartly: number; participants: number }[];
  health: { level: string; held: number; oldestHeldAgeMs: number | null };
  lastRuns: { id: number; status: string; outcome: string }[];
  destinations: unknown[];
}

let dir: { path: string; cleanup: () => Promise<void> };
let config: string;
let sandbox: string;
let employees: { id: string; email: string }[];
let consoles = 0;
const runs: { connectorId: string; captured: number; fetched: number; outcome: string }[] = [];
/** what retention removed: one mailbox's entries, and the items (with their records) only it had */
const purged = { mailbox: '', entries: 0, records: 0, fanOutBefore: 0 };

async function writeConfig(mapped: { id: string; email: string }[], withSilent = false): Promise<void> {
  await writeFile(
    join(dir.path, 'mapping.csv'),
    ['userid,mailbox', ...mapped.map((e) => `${e.id},${e.email}`)].join('\n') + '\n',
  );
  await writeFile(join(dir.path, 'nobody.csv'), 'userid,mailbox\n');
  const connectors: Record<string, unknown>[] = [
    {
      id: 'bank',
      source: { kind: 'sandbox', dir: sandbox },
      mapping: { csv: 'mapping.csv', autoFromDirectoryEmail: false },
    },
  ];
  // A connector nobody is mapped for: every record it takes is held.
  if (withSilent)
    connectors.push({
      id: 'silent',
      source: { kind: 'sandbox', dir: join(dir.path, 'silent-tenant') },
      mapping: { csv: 'nobody.csv', autoFromDirectoryEmail: false },
    });
  await writeFile(config, JSON.stringify({ dataDir: join(dir.path, 'data'), workers: 0, connectors }));
}

async function run(): Promise<void> {
  const r = await cli('run', '--once', '--json', '--config', config);
  expect(r.code, r.stderr).toBe(0);
  const parsed = JSON.parse(r.stdout) as unknown;
  for (const x of Array.isArray(parsed) ? parsed : [parsed]) runs.push(x as (typeof runs)[number]);
}

function text(msgid: string, from: string, to: string, at: number): Record<string, unknown> {
  return {
    msgid,
    action: 'send',
    from,
    tolist: [to],
    roomid: '',
    msgtime: at,
    msgtype: 'text',
    text: { content: msgid },
  };
}

beforeAll(async () => {
  dir = await tempDir('counters');
  sandbox = join(dir.path, 'tenant');
  config = join(dir.path, 'config.json');
  await generateTenant({ outDir: sandbox, seed: 23, messages: MESSAGES, faults: { missingKeyVersion: 4 } });
  await generateTenant({ outDir: join(dir.path, 'silent-tenant'), seed: 5, messages: SILENT_MESSAGES });
  const tenant = await readTenant(sandbox);
  employees = tenant.directory.people
    .filter((p) => p.kind === 'internal' && p.email)
    .map((p) => ({ id: p.id, email: p.email! }));
  // Messages between two mapped employees, each sent twice by the source with the same content.
  const t0 = Date.UTC(2026, 0, 9, 8, 0, 0);
  const twice = Array.from({ length: DUPLICATED }, (_, i) =>
    text(`twice-${i}`, employees[0]!.id, employees[1]!.id, t0 + i),
  );
  await appendDecrypted(sandbox, [...twice, ...twice]);

  // Run 1: a third of the employees mapped. Run 2: two thirds (releases some). Run 3: the missing
  // key is added (releases those records) and the silent connector runs for the first time.
  await writeConfig(employees.slice(0, Math.ceil(employees.length / 3)));
  await run();
  await writeConfig(employees.slice(0, Math.ceil((2 * employees.length) / 3)));
  await run();
  await copyFile(join(sandbox, 'keys-withheld', 'v3.pem'), join(sandbox, 'keys', 'v3.pem'));
  await writeConfig(employees.slice(0, Math.ceil((2 * employees.length) / 3)), true);
  await run();
  await purgeOneMailbox();
}, 300_000);

/**
 * Retention deletes every entry of the busiest mapped mailbox outside the duplicated pair's. What
 * it will remove is read from the archive first, so the counters can be checked against it.
 */
async function purgeOneMailbox(): Promise<void> {
  const before = await cliJson<{ connectors: StatusConnector[] }>('status', '--config', config);
  purged.fanOutBefore = before.connectors.find((c) => c.id === 'bank')!.counters.afterFanOut;
  const store = await openStore(join(dir.path, 'data'));
  try {
    const spared = [employees[0]!.email, employees[1]!.email];
    const busiest = await store.db
      .selectFrom('mailbox_entries')
      .select((eb) => ['mailbox', eb.fn.countAll<number>().as('n')])
      .where('mailbox', 'not in', spared)
      .groupBy('mailbox')
      .orderBy('n', 'desc')
      .orderBy('mailbox')
      .executeTakeFirstOrThrow();
    purged.mailbox = busiest.mailbox;
    purged.entries = Number(busiest.n);
    const onlyThere = await store.db
      .selectFrom('items as i')
      .select('i.key')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('mailbox_entries as e')
              .select('e.id')
              .whereRef('e.item_key', '=', 'i.key')
              .where('e.mailbox', '!=', purged.mailbox),
          ),
        ),
      )
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('mailbox_entries as e')
            .select('e.id')
            .whereRef('e.item_key', '=', 'i.key')
            .where('e.mailbox', '=', purged.mailbox),
        ),
      )
      .execute();
    purged.records = onlyThere.length;
  } finally {
    await store.close();
  }
  const add = await cli(
    'retention',
    'add',
    '--name',
    'purge',
    '--days',
    '1',
    '--mailbox',
    purged.mailbox,
    '--config',
    config,
  );
  expect(add.code, add.stderr).toBe(0);
  const done = await cliJson<{ deleted: number }>('retention', 'run', '--config', config);
  expect(done.deleted).toBe(purged.entries);
}

afterAll(async () => {
  await dir.cleanup();
});

async function openConsole(): Promise<{ admin: Client; h: ConsoleHarness; close: () => Promise<void> }> {
  // The console of `serve` with this configuration file, over the archive the CLI wrote.
  const file = JSON.parse(await readFile(config, 'utf8')) as Record<string, unknown>;
  const cfg = parseConfig(file, config, dir.path);
  const store = await openStore(cfg.dataDir);
  const secrets = await SecretBox.open({ dataDir: cfg.dataDir, env: {} });
  const app = await buildApp({ store, config: cfg, secrets });
  const h: ConsoleHarness = {
    app,
    store,
    config: cfg,
    secrets,
    supervisor: undefined,
    dataDir: cfg.dataDir,
    storeArgs: ['--data-dir', cfg.dataDir],
    close: async () => {
      await app.close();
      await store.close();
    },
  };
  return { admin: await userWith(h, `counter${++consoles}`, ['org-admin']), h, close: h.close };
}

describe('counters that agree everywhere', () => {
  it('the scenario happened: records were processed again, released, duplicated and held', () => {
    const bank = runs.filter((r) => r.connectorId === 'bank');
    expect(bank).toHaveLength(3);
    const processed = bank.reduce((n, r) => n + r.fetched, 0);
    const captured = bank.reduce((n, r) => n + r.captured, 0);
    expect(captured).toBe(MESSAGES + 2 * DUPLICATED);
    // The old "at source" added these up: more records than the source ever sent.
    expect(processed).toBeGreaterThan(captured);
    // Retention deleted a mailbox's entries, and items only it had.
    expect(purged.entries).toBeGreaterThan(0);
    expect(purged.records).toBeGreaterThan(0);
  });

  it('status, report and the console give the same counters, and they add up', async () => {
    const status = await cliJson<{ connectors: StatusConnector[] }>('status', '--config', config);
    const report = await cliJson<Report>('report', '--since', '2000-01-01', '--config', config);
    const bank = status.connectors.find((c) => c.id === 'bank')!;
    const silent = status.connectors.find((c) => c.id === 'silent')!;
    const c = bank.counters;

    // Each record once, whatever happened to it; the parts add up to the whole. Records whose
    // item retention deleted are gone from the archive and from the count.
    expect(c.atSource).toBe(MESSAGES + 2 * DUPLICATED - purged.records);
    expect(c.pending).toBe(0);
    expect(c.archived + c.heldTotal + c.failed).toBe(c.atSource);
    expect(c.duplicates).toBe(DUPLICATED);
    expect(c.held['key-missing'] ?? 0).toBe(0);
    expect(c.held.unmapped).toBeGreaterThan(0);
    expect(c.archivedPartlyUnmapped).toBeGreaterThan(0);
    expect(c.afterFanOut).toBeGreaterThan(0);
    // The kept fan-out counter went down by exactly the entries retention deleted.
    expect(c.afterFanOut).toBe(purged.fanOutBefore - purged.entries);
    expect(bank.records).toMatchObject({ done: c.archived - c.duplicates, duplicate: c.duplicates, held: c.heldTotal });
    // The hold summary's records are the held records; archived ones it concerns are apart.
    const unmapped = bank.holds.find((h) => h.reason === 'unmapped')!;
    expect(unmapped.records).toBe(c.held.unmapped);
    expect(unmapped.archivedPartly).toBe(c.archivedPartlyUnmapped);
    for (const h of bank.holds) expect(h.records).toBe(c.held[h.reason] ?? 0);

    // The report counts the same records, per day and in total, and its runs never count one twice at the source.
    const both = [bank.counters, silent.counters];
    const sum = (k: 'atSource' | 'archived' | 'heldTotal' | 'failed' | 'duplicates' | 'afterFanOut' | 'pending') =>
      both.reduce((n, x) => n + x[k], 0);
    for (const k of ['atSource', 'archived', 'heldTotal', 'failed', 'duplicates', 'afterFanOut', 'pending'] as const) {
      expect(report.totals[k], k).toBe(sum(k));
      expect(
        report.days.reduce((n, d) => n + d[k], 0),
        `days ${k}`,
      ).toBe(sum(k));
    }
    expect(report.totals.held.unmapped).toBe((c.held.unmapped ?? 0) + (silent.counters.held.unmapped ?? 0));
    // Runs count what they took and made, including what retention deleted since.
    expect(report.runs.reduce((n, r) => n + r.atSource, 0)).toBe(report.totals.atSource + purged.records);
    // Runs' fan-out is the entries each made: records processed again add only new mailboxes.
    expect(report.runs.reduce((n, r) => n + r.afterFanOut, 0)).toBe(report.totals.afterFanOut + purged.entries);
    expect(report.destinations).toEqual([...bank.destinations, ...silent.destinations]);
    expect(report.totals.atSource).toBe(report.totals.archived + report.totals.heldTotal + report.totals.failed);

    // Every held record is one problem row; rows of archived records name the mailboxes they reached.
    const heldRows = new Map<string, number>();
    for (const p of report.problems.filter((x) => x.recordHeld))
      heldRows.set(p.reason, (heldRows.get(p.reason) ?? 0) + 1);
    expect(Object.fromEntries(heldRows)).toEqual(report.totals.held);
    const partly = report.problems.filter((p) => p.reason === 'unmapped' && !p.recordHeld);
    expect(partly.length).toBe(report.totals.archivedPartlyUnmapped);
    for (const p of partly) expect(p.targetMailbox).toMatch(/@/);
    const csv = await cli('report', '--since', '2000-01-01', '--csv', '--config', config);
    const csvRows = csv.stdout.trim().split('\r\n').slice(1);
    expect(csvRows.filter((l) => /@[^,]*,unmapped,/.test(l)).length).toBe(partly.length);

    // The console reads the same definitions.
    const { admin, h, close } = await openConsole();
    try {
      for (const s of [bank, silent]) {
        // The kept counters (moved by every processing, re-processing and deletion above) equal
        // a recount of the rows, and so do the delivery counters.
        expect(await recordCounters(h.store.db, { connectorId: s.id }, { recount: true })).toEqual(s.counters);
        expect(await destinationCounters(h.store.db, { connectorId: s.id }, { recount: true })).toEqual(s.destinations);
        const detail = await admin.json<ConnectorDetail>('GET', `/api/connectors/${s.id}`);
        expect(detail.counters).toEqual(s.counters);
        // Per external destination (none here besides the embedded archive): the same list.
        expect(detail.destinations).toEqual(s.destinations);
        expect(detail.totals.held).toBe(s.counters.heldTotal);
        expect(detail.totals.heldByReason).toEqual(s.counters.held);
        expect(detail.lag.held).toBe(s.health.held);
        expect(detail.runs.reduce((n, r) => n + r.atSource, 0)).toBe(
          s.counters.atSource + (s.id === 'bank' ? purged.records : 0),
        );
        expect(detail.runs.map((r) => r.outcome)).toEqual(
          s.lastRuns.map((r) => r.outcome).slice(0, detail.runs.length),
        );
      }
      const list = await admin.json<{ connectors: ConnectorSummary[] }>('GET', '/api/connectors');
      for (const s of [bank, silent])
        expect(list.connectors.find((x) => x.id === s.id)!.totals.held).toBe(s.counters.heldTotal);
      const problems = await admin.json<ProblemsResponse>('GET', '/api/problems');
      for (const s of [bank, silent]) {
        for (const [reason, n] of Object.entries(s.counters.held)) {
          expect(problems.groups.find((g) => g.connectorId === s.id && g.reason === reason)?.count, reason).toBe(n);
        }
        const g = problems.groups.find((x) => x.connectorId === s.id && x.reason === 'unmapped');
        expect(g?.archivedPartly ?? 0).toBe(s.counters.archivedPartlyUnmapped);
        expect(g?.examples.length).toBeGreaterThan(0);
        // Each example names the mailboxes its item reached, none when it reached none.
        for (const e of g?.examples ?? []) {
          const boxes = await h.store.db
            .selectFrom('mailbox_entries')
            .select('mailbox')
            .distinct()
            .where('item_key', '=', e.itemKey!)
            .orderBy('mailbox')
            .execute();
          expect(e.targetMailbox ?? '').toBe(boxes.map((b) => b.mailbox).join(' '));
        }
      }
    } finally {
      await close();
    }
  });

  it('a run that held every record is "held", not "succeeded", and its lag is not on time', async () => {
    const silentRuns = runs.filter((r) => r.connectorId === 'silent');
    expect(silentRuns).toHaveLength(1);
    expect(silentRuns[0]!.outcome).toBe('held');
    expect(silentRuns[0]!.fetched).toBe(SILENT_MESSAGES);
    const status = await cliJson<{ connectors: StatusConnector[] }>('status', '--config', config);
    const silent = status.connectors.find((c) => c.id === 'silent')!;
    expect(silent.counters).toMatchObject({ atSource: SILENT_MESSAGES, archived: 0, heldTotal: SILENT_MESSAGES });
    expect(silent.lastRuns[0]!.outcome).toBe('held');
    expect(silent.health.level).toBe('warning');
    expect(silent.health.held).toBe(SILENT_MESSAGES);
    const text = await cli('status', '--config', config);
    expect(text.stdout).toMatch(/connector silent[\s\S]*last run \d+: held at/);
    expect(text.stdout).toContain(`records: ${SILENT_MESSAGES} at source: 0 archived, ${SILENT_MESSAGES} held`);
    const report = await cliJson<Report>('report', '--since', '2000-01-01', '--config', config);
    expect(report.runs.filter((r) => r.connectorId === 'silent').map((r) => r.outcome)).toEqual(['held']);
    const { admin, close } = await openConsole();
    try {
      const detail = await admin.json<ConnectorDetail>('GET', '/api/connectors/silent');
      expect(detail.lastRun?.outcome).toBe('held');
      expect(detail.lastRun?.status).toBe('succeeded');
      expect(detail.lag.level).toBe('warning');
      expect(detail.lag.oldestHeldAgeMs).not.toBeNull();
      const bank = await admin.json<ConnectorDetail>('GET', '/api/connectors/bank');
      expect(bank.runs.every((r) => r.outcome === 'succeeded')).toBe(true);
    } finally {
      await close();
    }
  });
});
