// What verify-export reads in an RSMF file: the writer's own file reads back as one event an item
// (its item key, in order), and each way a file can be malformed (not RSMF 2.0.0, no rsmf.zip, a
// zip or manifest that does not read, a wrong event count) is named by the file. Items against a
// file's events: a missing, an extra and a moved event are each named, files read one at a time,
// the manifest's items read again only for the files that differ.
import { strToU8, zipSync } from 'fflate';
import { expect, it } from 'vitest';
import type { ExportProblem } from './job-types.js';
import { rsmfFile } from './rsmf.js';
import { RsmfCheck, rsmfEvents, type RsmfItemEntry } from './verify-rsmf.js';
import { rsmfItem } from '../../../test/helpers/rsmf-items.js';

/** A message in the .rsmf layout: the given X-RSMF-* fields, and `zip` as its rsmf.zip when given. */
function message(fields: string, zip?: Uint8Array): Buffer {
  const part = zip
    ? `--b\r\nContent-Type: application/zip; name="rsmf.zip"\r\nContent-Disposition: attachment; filename="rsmf.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(zip).toString('base64')}\r\n`
    : '';
  return Buffer.from(
    `From: a@x.com\r\n${fields}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\ntranscript\r\n${part}--b--\r\n`,
  );
}

const problemsOf = async (bytes: Buffer) => {
  const out: string[] = [];
  const events = await rsmfEvents('f.rsmf', bytes, (p) => out.push(p.detail));
  return { events, problems: out };
};

it("reads the writer's own file as its items' events, in order, and names nothing", async () => {
  const items = [await rsmfItem(1), await rsmfItem(2, true), await rsmfItem(3)];
  const { events, problems } = await problemsOf(rsmfFile(items, 'c1').bytes);
  expect(problems).toEqual([]);
  expect(events).toEqual(items.map((i) => ({ key: i.itemKey, id: i.msgid })));
});

it('names a file that is not RSMF 2.0.0 with one readable rsmf.zip and manifest', async () => {
  const manifest = strToU8(JSON.stringify({ events: [{ id: 'm1', custom: [] }] }));
  const good = zipSync({ 'rsmf_manifest.json': manifest });
  const fields = 'X-RSMF-Version: 2.0.0\r\nX-RSMF-EventCount: 1\r\n';
  expect((await problemsOf(message(fields, good))).problems).toEqual([]);
  expect((await problemsOf(message('X-RSMF-Version: 1.0.0\r\nX-RSMF-EventCount: 3\r\n', good))).problems).toEqual([
    'f.rsmf: its X-RSMF-Version is "1.0.0", not 2.0.0',
    'f.rsmf: its X-RSMF-EventCount is 3, its rsmf_manifest.json holds 1 event',
  ]);
  const none = await problemsOf(message(fields));
  expect(none).toEqual({
    events: undefined,
    problems: ['f.rsmf: it holds 0 attachments (none), not the one rsmf.zip'],
  });
  expect((await problemsOf(message(fields, strToU8('not a zip')))).problems).toEqual([
    'f.rsmf: its rsmf.zip is not a readable zip (invalid zip data)',
  ]);
  expect((await problemsOf(message(fields, zipSync({ 'a.png': strToU8('x') })))).problems).toEqual([
    'f.rsmf: its rsmf.zip holds no rsmf_manifest.json',
  ]);
  const notJson = await problemsOf(message(fields, zipSync({ 'rsmf_manifest.json': strToU8('{') })));
  expect(notJson.problems[0]).toMatch(/^f\.rsmf: its rsmf_manifest\.json is not JSON \(/);
  expect((await problemsOf(message(fields, zipSync({ 'rsmf_manifest.json': strToU8('{}') })))).problems).toEqual([
    'f.rsmf: its rsmf_manifest.json has no events list',
  ]);
});

it('names an attachment an event names that the zip does not hold, or holds at another size', async () => {
  const events = [
    { id: 'm1', custom: [{ name: 'Item key', value: 'k1' }], attachments: [{ id: 'a.png', display: 'a', size: 1 }] },
    { id: 'm2', custom: [], attachments: [{ id: 'b.png', display: 'b', size: 1 }] },
  ];
  const zip = zipSync({ 'rsmf_manifest.json': strToU8(JSON.stringify({ events })), 'a.png': strToU8('xy') });
  const { problems } = await problemsOf(message('X-RSMF-Version: 2.0.0\r\nX-RSMF-EventCount: 2\r\n', zip));
  expect(problems).toEqual([
    'f.rsmf: event 1 (id m1, item k1) gives attachment a.png as 1 byte, its rsmf.zip holds 2 bytes',
    'f.rsmf: event 2 (id m2) names attachment b.png, which its rsmf.zip does not hold',
  ]);
});

it('names each item without its event, each event of no item and each moved, reading only the files that differ again', async () => {
  const files = new Map<string, Buffer>();
  const its = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => rsmfItem(n)));
  files.set('ok.rsmf', rsmfFile(its.slice(0, 2), 'ok').bytes);
  files.set('moved.rsmf', rsmfFile([its[3]!, its[2]!, its[4]!], 'moved').bytes);
  files.set('other.rsmf', rsmfFile([its[5]!], 'other').bytes);
  const entries: RsmfItemEntry[] = [
    ...its.slice(0, 2).map((i) => ({ itemKey: i.itemKey, path: 'ok.rsmf' })),
    ...its.slice(2, 5).map((i) => ({ itemKey: i.itemKey, path: 'moved.rsmf' })),
    { itemKey: 'key-9', path: 'other.rsmf' },
  ];
  const run = async (detailItems?: number) => {
    const problems: ExportProblem[] = [];
    const check = new RsmfCheck((p) => problems.push(p), detailItems);
    for (const [rel, bytes] of files) await check.file(rel, bytes);
    for (const e of entries) check.item(e);
    const read: string[] = [];
    let passes = 0;
    await check.finish(
      async function* () {
        passes++;
        yield* entries;
      },
      (rel) => {
        read.push(rel);
        return files.get(rel);
      },
    );
    return { problems, read, passes };
  };
  const { problems, read, passes } = await run();
  expect(passes).toBe(1);
  expect(read).toEqual(['moved.rsmf', 'other.rsmf']);
  // with room for fewer items than the two files list, a pass each, and the same problems
  const small = await run(2);
  expect(small.passes).toBe(2);
  expect(small.problems).toEqual(problems);
  expect(problems.map((p) => [p.path, p.detail])).toEqual([
    [
      'key-3',
      "item key-3: event 1 of moved.rsmf is item key-4's, where the manifest lists this item (its events are not in the manifest's order)",
    ],
    [
      'key-4',
      "item key-4: event 2 of moved.rsmf is item key-3's, where the manifest lists this item (its events are not in the manifest's order)",
    ],
    ['key-9', 'item key-9: other.rsmf holds no event of it'],
    ['other.rsmf', 'other.rsmf: event 1 (id msg-6, item key-6) is not an item the manifest lists in it'],
  ]);
});
