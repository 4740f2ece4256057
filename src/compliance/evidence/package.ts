/**
 * The evidence package an auditor takes away: every checkpoint's exact statement, its
 * signature and RFC 3161 reply as files, the public key, the TSA's certificates, the
 * verification report, and a README whose commands check all of it with `openssl` and
 * `sha256sum` alone, trusting nothing this software says.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import {
  dialectKind,
  DIGESTED_FIELDS,
  listCheckpoints,
  type CheckpointRow,
  type Db,
  type DialectKind,
} from '../../store/index.js';
import { statementHash, type CheckpointStatement } from './checkpoint.js';
import { formatVerifyText } from './verify-text.js';
import type { VerifyReport } from './verify.js';
import type { PackagedVerification } from './integrity-types.js';

export interface EvidencePackage {
  dir: string;
  checkpoints: number;
  timestamped: number;
  files: string[];
}

const name = (n: number) => String(n).padStart(6, '0');

/** Writes the package into `outDir` (absent, or an empty directory), via a temporary directory. */
export async function writeEvidencePackage(
  db: Db,
  outDir: string,
  opts: {
    publicKeyPem: string;
    tsaCaPem?: string;
    report: VerifyReport;
    /** the recorded verification run the report comes from; absent when it was made for this package (the CLI) */
    verification?: PackagedVerification;
  },
): Promise<EvidencePackage> {
  const tmp = join(dirname(outDir), `.${relative(dirname(outDir), outDir)}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(join(tmp, 'checkpoints'), { recursive: true });
  try {
    return await writePackage(db, tmp, outDir, opts);
  } catch (err) {
    // no half-written package left beside the one asked for
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** The package's files into `tmp`, then `tmp` renamed to `outDir`. */
async function writePackage(
  db: Db,
  tmp: string,
  outDir: string,
  opts: Parameters<typeof writeEvidencePackage>[2],
): Promise<EvidencePackage> {
  const files = new Map<string, Buffer>();
  const put = (path: string, bytes: Buffer | string) => files.set(path, Buffer.from(bytes));
  const rows = await listCheckpoints(db);
  let timestamped = 0;
  for (const [i, row] of rows.entries()) {
    const base = `checkpoints/${name(i + 1)}`;
    put(`${base}.json`, row.statement);
    put(`${base}.sig`, Buffer.from(row.signature, 'base64'));
    if (row.tsa_reply) {
      put(`${base}.tsr`, Buffer.from(row.tsa_reply));
      timestamped++;
    }
  }
  put('public-key.pem', opts.publicKeyPem);
  if (opts.tsaCaPem && timestamped > 0) put('tsa-ca.pem', opts.tsaCaPem);
  const which = whichVerification(opts.verification);
  put('verification-report.json', `${JSON.stringify({ verification: which.json, ...opts.report }, null, 2)}\n`);
  put('verification-report.txt', `${which.text}\n${formatVerifyText(opts.report)}`);
  put('README.md', readme(rows, timestamped > 0, opts.tsaCaPem !== undefined, which.text, dialectKind(db)));
  const sums = [...files]
    .filter(([p]) => p !== 'README.md')
    .map(([p, b]) => `${createHash('sha256').update(b).digest('hex')}  ${p}`)
    .sort((a, b) => a.slice(66).localeCompare(b.slice(66)));
  put('SHA256SUMS', `${sums.join('\n')}\n`);
  for (const [p, b] of files) await writeFile(join(tmp, p), b);
  await rename(tmp, outDir);
  return { dir: outDir, checkpoints: rows.length, timestamped, files: [...files.keys()].sort() };
}

/** How the package names the verification it carries, in the report's JSON and in words. */
function whichVerification(v: PackagedVerification | undefined): { json: object; text: string } {
  if (!v) {
    return {
      json: { run: null, madeFor: 'this package' },
      text: 'This verification was run for this package, just before it was written, over the whole archive.',
    };
  }
  const scope =
    v.scope === 'full'
      ? 'over the whole archive'
      : `over the rows, blobs and time-stamps added since ${v.since} (the hash chains and every checkpoint's signature whole)`;
  return {
    json: { run: v.id, checkedAt: v.checkedAt, scope: v.scope, since: v.since, actor: v.actor, via: v.via },
    text: `This is verification run ${v.id}, started ${v.checkedAt} by ${v.actor} (${v.via}), ${scope}: the latest completed verification when the package was made, and no checkpoint is newer than it.`,
  };
}

/** How an auditor reads the ingest log, digests and hashes in hex, from the database this archive keeps. */
function ingestLogReading(kind: DialectKind): string {
  if (kind === 'postgres')
    return `to recompute the chain from the archive's PostgreSQL database (or a copy of it restored
  from \`pg_dump\`), read it in hex with \`psql\`, as JSON since a \`ref\` may hold line breaks
  (\`DATABASE_URL\` is that database's URL):

\`\`\`text
psql "$DATABASE_URL" -X -A -t -c "SELECT coalesce(json_agg(r ORDER BY r.id), '[]') FROM (SELECT id, at, kind, connector_id, ref, encode(digest, 'hex') AS digest, detail_json, encode(hash, 'hex') AS hash FROM ingest_log) r"
\`\`\``;
  return `to recompute the chain from a copy of the archive (its \`archive.db\`), read
  it in hex with the \`sqlite3\` tool, as JSON since a \`ref\` may hold line breaks:

\`\`\`text
sqlite3 -json archive.db "SELECT id, at, kind, connector_id, ref, lower(hex(digest)) AS digest, detail_json, lower(hex(hash)) AS hash FROM ingest_log ORDER BY id"
\`\`\``;
}

/** The fields each kind of row's digest covers, in order, and the table it is read from. */
const DIGESTED = DIGESTED_FIELDS;

/** The command that reads one table's digested fields as JSON, in the order its digest covers them. */
function rowsReading(kind: DialectKind, d: (typeof DIGESTED)[keyof typeof DIGESTED]): string {
  const columns = d.fields.join(', ');
  return kind === 'postgres'
    ? `psql "$DATABASE_URL" -X -A -t -c "SELECT coalesce(json_agg(r), '[]') FROM (SELECT ${columns} FROM ${d.table} ORDER BY ${d.order}) r"`
    : `sqlite3 -json archive.db "SELECT ${columns} FROM ${d.table} ORDER BY ${d.order}"`;
}

/** How an auditor recomputes the digest of every row an event names. */
function rowDigests(kind: DialectKind): string {
  const list = (fields: readonly string[]) => fields.map((f) => `\`${f}\``).join(', ');
  return `## How each row's digest is computed

The \`digest\` of a \`raw\`, \`item\` or \`entry\` event is the SHA-256 (lower-case hex) of the
fields of the row it names, in a fixed order, each written as \`<length>:<tag><value>\` and all
of them concatenated with nothing between:

- \`<tag><value>\` is \`s\` followed by the text for a text field, \`n\` followed by the number in
  decimal (as the column holds it: no sign for a positive number, no leading zeros, no
  fraction for an integer) for a number, and \`z\` alone for a null (empty text is \`s\` alone);
- \`<length>\` is the number of bytes of \`<tag><value>\` in UTF-8, in decimal;
- the SHA-256 is taken over the UTF-8 bytes of the whole text.

For example the fields \`"ab"\`, \`12\`, null are written \`3:sab3:n121:z\`.

- \`raw\` (its \`ref\` is the record's \`seq_key\`, of the event's \`connector_id\`): the row of
  \`${DIGESTED.raw.table}\`, fields ${list(DIGESTED.raw.fields)}.
- \`item\` (its \`ref\` is the item's \`key\`): the row of \`${DIGESTED.item.table}\`, fields ${list(DIGESTED.item.fields)}. The event's
  \`detail_json\` names the digest's version: without \`digestVersion\` (version 1) the fields
  are taken as they are; with \`"digestVersion":2\`, \`model_json\` is replaced by the
  lower-case hex SHA-256 of its UTF-8 bytes, written as text (\`65:s\` and the 64 hex digits).
  Both versions can appear in one log (an archive logged before version 2 keeps its earlier
  events as they are); each item is checked by the version its own event names.
- \`entry\` (its \`ref\` is \`mailbox\`, \`folder\` and \`item_key\`, separated by line breaks): the
  row of \`${DIGESTED.entry.table}\`, fields ${list(DIGESTED.entry.fields)}.

Tombstones and policy changes have an empty digest. A row deleted under a tombstone has no
row left to recompute; any other event whose row is missing or gives another digest is a
finding. Read the rows ${
    kind === 'postgres' ? 'with `psql` (the same `DATABASE_URL`)' : 'with the `sqlite3` tool (the same `archive.db`)'
  }, each table's fields as JSON in the order above${kind === 'postgres' ? '' : ' (the tool prints nothing for a table without rows)'}:

\`\`\`text
${rowsReading(kind, DIGESTED.raw)}
\`\`\`

\`\`\`text
${rowsReading(kind, DIGESTED.item)}
\`\`\`

\`\`\`text
${rowsReading(kind, DIGESTED.entry)}
\`\`\`
`;
}

function readme(
  rows: CheckpointRow[],
  timestamped: boolean,
  haveCa: boolean,
  verification: string,
  kind: DialectKind,
): string {
  const last = rows[rows.length - 1];
  const lastStatement = last ? (JSON.parse(last.statement) as CheckpointStatement) : undefined;
  const links = rows
    .slice(1)
    .map((r, i) => `echo "${statementHash(rows[i]!.statement)}  checkpoints/${name(i + 1)}.json" | sha256sum -c -`);
  return `# Evidence package of a WeChat Archiver archive

Made ${new Date().toISOString()}. ${rows.length} checkpoint(s)${
    lastStatement
      ? `; the latest, number ${lastStatement.number} at ${lastStatement.at}, states the ingest log head ${lastStatement.ingest.head} (${lastStatement.ingest.events} events) and the audit log head ${lastStatement.audit.head} (${lastStatement.audit.events} events)`
      : ''
  }.

Each checkpoint (\`checkpoints/NNNNNN.json\`) is the exact byte sequence that was signed: the
heads of the archive's two hash chains (the ingest log of every raw record, item, mailbox
entry, deletion tombstone and policy change; and the audit log of who did what), the archive's
counts, the time, and the SHA-256 of the previous checkpoint. \`NNNNNN.sig\` is its Ed25519
signature under \`public-key.pem\`${timestamped ? '; `NNNNNN.tsr` is the RFC 3161 time-stamp reply of an independent time-stamping authority over its SHA-256' : ''}.
\`verification-report.json\` is what \`wechat-archiver verify\` found. ${verification}

Compare \`public-key.pem\` with the copy of the archive's public key you received apart from
this package (its SHA-256 is printed by \`openssl pkey -pubin -in public-key.pem -outform DER | sha256sum\`)${
    haveCa && timestamped ? ", and `tsa-ca.pem` with the time-stamping authority's published certificate" : ''
  }.

## Check it with openssl and sha256sum alone

Run in this directory; every command must succeed (\`Signature Verified Successfully\`${
    timestamped ? ', `Verification: OK`' : ''
  }, \`OK\`):

\`\`\`sh
sha256sum -c SHA256SUMS
for f in checkpoints/*.json; do openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in "$f" -sigfile "\${f%.json}.sig" || exit 1; done
${
  timestamped
    ? 'for f in checkpoints/*.tsr; do openssl ts -verify -in "$f" -data "${f%.tsr}.json" -CAfile tsa-ca.pem || exit 1; done\n'
    : ''
}${links.join('\n')}${links.length ? '\n' : ''}\`\`\`

The last lines check that each checkpoint names the one before it by its SHA-256 (the
\`previous\` field), so that none was removed or replaced. ${
    timestamped ? "See each time-stamp's time with `openssl ts -reply -in checkpoints/NNNNNN.tsr -text`. " : ''
  }To check that the archive still holds what the latest checkpoint states, run
\`wechat-archiver verify\` on it (or on a restored backup) and compare the heads it prints.

## How the heads are computed

Each chain's head is the hash of its newest event; each event's hash is SHA-256 (in lower-case
hex) of the previous event's hash (64 zeros for the first event), a newline, and the canonical
JSON (keys sorted, no spaces) of the event's fields in this order:

- ingest log: \`[at, kind, connector_id, ref, digest, detail_json]\`, where \`digest\` is the
  lower-case hex of the SHA-256 of the row's immutable fields (empty for tombstones and policy
  changes). The database keeps \`digest\` and \`hash\` as 32 bytes and does not repeat the
  previous hash; ${ingestLogReading(kind)}

- audit log: \`[at, actor, action, target, detail, ip]\` (\`wechat-archiver audit export\` prints it
  with \`prev_hash\` and \`hash\`).

${rowDigests(kind)}`;
}
