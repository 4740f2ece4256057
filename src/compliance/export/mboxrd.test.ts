// mboxMessageHashes reads an mboxrd file a megabyte at a time and gives each message's SHA-256
// exactly as splitMboxrd splits the whole file: quoted "From " lines unquoted, the entry's ending
// blank line dropped, across read boundaries and lines longer than the read buffer.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mboxMessageHashes, mboxrdEntry, splitMboxrd } from './mboxrd.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxa-mboxrd-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function hashesOf(mbox: Buffer): string[] {
  const file = join(dir, `m-${Math.random().toString(36).slice(2)}.mbox`);
  writeFileSync(file, mbox);
  const out: string[] = [];
  mboxMessageHashes(file, (h) => out.push(h));
  return out;
}

it('gives the hashes of the messages splitMboxrd gives, whatever falls on a read boundary', () => {
  const messages = [
    Buffer.from('Subject: a\r\n\r\nFrom here on\r\n>From quoted\r\n>>From twice\r\n\r\n'),
    Buffer.from('Subject: b\r\n\r\n'),
    // a line longer than the read buffer, and "From " right after it
    Buffer.concat([
      Buffer.from('Subject: c\r\n\r\n'),
      Buffer.alloc(1.5 * 1024 * 1024, 0x41),
      Buffer.from('\r\nFrom x\r\n'),
    ]),
    Buffer.from('Subject: d\r\n\r\nFro\r\nFrom\r\n>Fromage\r\n'),
  ];
  // and many small ones, so that entries straddle the 1 MB reads at every offset
  for (let i = 0; i < 40_000; i++)
    messages.push(Buffer.from(`Subject: ${i}\r\n\r\n${'From '.repeat(i % 3)}body ${i}\r\n`));
  const mbox = Buffer.concat(messages.map((m, i) => mboxrdEntry(m, `s${i}@example.com`, 0)));
  const split = splitMboxrd(mbox);
  expect(split.map(sha)).toEqual(messages.map(sha));
  expect(hashesOf(mbox)).toEqual(messages.map(sha));
});

it('"From " inside a line longer than the read buffer, where the next read starts, is not a new message', () => {
  // the first read ends the headers' lines; the second holds the next 1 MB of the long line and
  // no line break, so the third read starts in the middle of that line, with "From "
  const m = Buffer.concat([
    Buffer.from('Subject: e\r\n\r\n'),
    Buffer.alloc(1024 * 1024, 0x41),
    Buffer.from('From the middle of a line\r\n'),
  ]);
  const mbox = Buffer.concat([
    mboxrdEntry(m, 'e@example.com', 0),
    mboxrdEntry(Buffer.from('Subject: f\r\n\r\n'), 'f@example.com', 0),
  ]);
  expect(splitMboxrd(mbox).map(sha)).toEqual([sha(m), sha(Buffer.from('Subject: f\r\n\r\n'))]);
  expect(hashesOf(mbox)).toEqual([sha(m), sha(Buffer.from('Subject: f\r\n\r\n'))]);
});

it('an empty file has no message; a damaged entry hashes differently', () => {
  expect(hashesOf(Buffer.alloc(0))).toEqual([]);
  const m = Buffer.from('Subject: a\r\n\r\nhello\r\n');
  const entry = mboxrdEntry(m, 'a@example.com', 0);
  expect(hashesOf(entry)).toEqual([sha(m)]);
  const damaged = Buffer.from(entry);
  damaged[damaged.length - 4] = 0x21;
  expect(hashesOf(damaged)).not.toEqual([sha(m)]);
});
