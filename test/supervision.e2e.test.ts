// Supervision end to end on a sandbox archive: a policy in force while `run --once` archives
// flags exactly what the same policy flags when applied to the history afterwards (same items,
// same terms, same reasons, the sample included); re-applying changes nothing; the review
// queue's actions follow their rules, are audited, and show in the reports.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewItem, supervisionReport } from '../src/compliance/supervision/index.js';
import { isArchiverError } from '../src/core/errors.js';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { archiveOn, describeDialects, type DialectArchive } from './helpers/dialects.js';

describeDialects('supervision e2e', (t) => {
  const MESSAGES = 600;
  const LEXICON = new URL('../lexicons/starter-financial.txt', import.meta.url).pathname;
  let dir: { path: string; cleanup: () => Promise<void> };
  let tenant: string;
  let atIngest: string;
  let onApply: string;
  /** each data directory's archive on the dialect under test */
  const archives = new Map<string, DialectArchive>();
  const at = (data: string) => archives.get(data)!;

  interface QueueItem {
    msgid: string;
    itemKey: string;
    policy: { id: number; name: string };
    terms: string[];
    reasons: string[];
    state: string;
  }

  const policyArgs = (data: string) => [
    'supervision',
    'add',
    '--name',
    'Mis-selling',
    '--lexicon',
    LEXICON,
    '--sample',
    '5',
    '--type',
    'redpacket',
    '--reviewer',
    'ann@bank.example',
    ...at(data).args,
  ];
  const run = (data: string) =>
    cliJson<{ archived: number }>('run', '--once', '--sandbox', tenant, ...at(data).args, '--workers', '0');
  const queue = async (data: string) =>
    (await cliJson<{ items: QueueItem[] }>('supervision', 'queue', '--policy', '1', ...at(data).args)).items;
  const shape = (items: QueueItem[]) =>
    items.map((i) => `${i.itemKey} ${i.msgid} ${i.terms.join('|')} ${i.reasons.join('|')}`).sort();

  beforeAll(async () => {
    dir = await tempDir('supervision');
    tenant = join(dir.path, 'tenant');
    atIngest = join(dir.path, 'ingest');
    onApply = join(dir.path, 'apply');
    for (const d of [atIngest, onApply]) archives.set(d, await archiveOn(t, d));
    await generateTenant({ outDir: tenant, seed: 11, messages: MESSAGES });
    const added = await cli(...policyArgs(atIngest));
    expect(added.code).toBe(0);
    expect(added.stdout.split('\n')[0]).toBe('1');
    expect((await run(atIngest)).archived).toBeGreaterThan(0);
    expect((await run(onApply)).archived).toBeGreaterThan(0);
    expect((await cli(...policyArgs(onApply))).code).toBe(0);
  }, 300_000);

  afterAll(async () => {
    await dir.cleanup();
  });

  describe('supervision on a sandbox archive', () => {
    it('a policy applied to the history flags exactly what it flagged at ingest', async () => {
      const ingest = await queue(atIngest);
      expect(await queue(onApply)).toEqual([]);
      const applied = await cliJson<{ done: number; flagged: number }>(
        'supervision',
        'apply',
        '1',
        ...at(onApply).args,
      );
      expect(applied.flagged).toBe(ingest.length);
      const history = await queue(onApply);
      expect(shape(history)).toEqual(shape(ingest));
      // Every kind of condition was exercised, so the equality means something.
      const reasons = new Set(ingest.flatMap((i) => i.reasons));
      expect(reasons).toEqual(new Set(['lexicon', 'type:redpacket', 'sample']));
      expect(ingest.flatMap((i) => i.terms)).toEqual(expect.arrayContaining(['保本', '加我私人微信']));
      for (const i of ingest) {
        expect(i.policy).toMatchObject({ id: 1, name: 'Mis-selling' });
        expect(i.state).toBe('open');
        expect(i.msgid).toBeTruthy();
      }
      // Applying again raises nothing new.
      const again = await cliJson<{ flagged: number }>('supervision', 'apply', '1', ...at(onApply).args);
      expect(again.flagged).toBe(ingest.length);
      expect(shape(await queue(onApply))).toEqual(shape(ingest));
    });

    it('a bad lexicon is refused with its file and line, an empty one as such, and no policy is made', async () => {
      const bad = join(dir.path, 'bad.txt');
      await (await import('node:fs/promises')).writeFile(bad, '# mine\n保本\n!!!\n');
      const r = await cli('supervision', 'add', '--name', 'Bad', '--lexicon', bad, ...at(onApply).args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${bad}:3:`);
      // a file of comments and blank lines only: the wrong file, even beside another condition
      const none = join(dir.path, 'none.txt');
      await (await import('node:fs/promises')).writeFile(none, '# terms to come\n\n   \n');
      const empty = await cli(
        'supervision',
        'add',
        '--name',
        'Empty',
        '--lexicon',
        none,
        '--external',
        ...at(onApply).args,
      );
      expect(empty.code).toBe(2);
      expect(empty.stderr).toBe(
        `supervision add: the lexicon ${none} holds no term; write one term or phrase a line (# starts a comment)\n`,
      );
      const list = await cliJson<{ policies: unknown[] }>('supervision', 'list', ...at(onApply).args);
      expect(list.policies).toHaveLength(1);
    });

    it('review actions follow the queue rules, are audited and counted in the reports', async () => {
      const [first, second] = await queue(atIngest);
      const store = await at(atIngest).open();
      try {
        const db = store.db;
        const refuse = async (p: Promise<unknown>, code = 'WXA_SUPERVISION_STATE') => {
          const err = await p.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(isArchiverError(err, code as 'WXA_SUPERVISION_STATE')).toBe(true);
        };
        await refuse(reviewItem(db, 1, first!.itemKey, 'ann@bank.example', { action: 'tag', tag: 'compliant' }));
        expect((await reviewItem(db, 1, first!.itemKey, 'ann@bank.example', { action: 'claim' })).state).toBe(
          'claimed',
        );
        await refuse(reviewItem(db, 1, first!.itemKey, 'bob@bank.example', { action: 'claim' }));
        await refuse(reviewItem(db, 1, first!.itemKey, 'ann@bank.example', { action: 'resolve' }));
        await reviewItem(db, 1, first!.itemKey, 'ann@bank.example', { action: 'tag', tag: 'questionable' });
        await reviewItem(db, 1, first!.itemKey, 'ann@bank.example', { action: 'comment', text: 'asked the desk head' });
        const esc = await reviewItem(db, 1, first!.itemKey, 'ann@bank.example', {
          action: 'escalate',
          to: 'bob@bank.example',
        });
        expect(esc).toMatchObject({ state: 'escalated', assignee: 'bob@bank.example' });
        await refuse(reviewItem(db, 1, first!.itemKey, 'ann@bank.example', { action: 'resolve', tag: 'compliant' }));
        const done = await reviewItem(db, 1, first!.itemKey, 'bob@bank.example', {
          action: 'resolve',
          tag: 'non-compliant',
        });
        expect(done).toMatchObject({ state: 'resolved', tag: 'non-compliant' });
        await reviewItem(db, 1, second!.itemKey, 'ann@bank.example', { action: 'claim' });

        const audited = await db
          .selectFrom('audit_events')
          .select(['actor', 'action'])
          .where('action', 'like', 'supervision.%')
          .orderBy('id')
          .execute();
        expect(audited.map((a) => `${a.actor} ${a.action}`)).toEqual([
          expect.stringMatching(/ supervision\.policy\.create$/),
          'ann@bank.example supervision.claim',
          'ann@bank.example supervision.tag',
          'ann@bank.example supervision.comment',
          'ann@bank.example supervision.escalate',
          'bob@bank.example supervision.resolve',
          'ann@bank.example supervision.claim',
        ]);

        const all = await queue(atIngest);
        const report = await supervisionReport(db, Date.now() + 3_600_000);
        expect(report.policies).toEqual([
          expect.objectContaining({ policyId: 1, flagged: all.length, reviewed: 1, open: all.length - 1 }),
        ]);
        expect(report.policies[0]!.oldestOpenAgeSeconds).toBeGreaterThanOrEqual(3600);
        expect(report.reviewers).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              reviewer: 'bob@bank.example',
              flagged: 1,
              reviewed: 1,
              open: 0,
              oldestOpenAgeSeconds: null,
            }),
            expect.objectContaining({ reviewer: 'ann@bank.example', flagged: 1, reviewed: 0, open: 1 }),
          ]),
        );
      } finally {
        await store.close();
      }
      // A later apply never touches a reviewed item.
      await cliJson('supervision', 'apply', '1', ...at(atIngest).args);
      const after = await queue(atIngest);
      expect(after.find((i) => i.itemKey === first!.itemKey)?.state).toBe('resolved');
    });
  });
});
