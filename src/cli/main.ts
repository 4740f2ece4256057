/**
 * The `wechat-archiver` command. The only module that starts anything: each subcommand is a
 * function of its flags and an Io, so tests run them in-process and capture the output.
 */
import { guardDatabaseOption } from './database.js';
import { Command, CommanderError } from 'commander';
import { describeError } from '../core/errors.js';
import { configJsonSchema } from '../config/index.js';
import {
  connectorCheckCommand,
  mappingCheckCommand,
  itemShowCommand,
  mailboxListCommand,
  mailboxShowCommand,
  statusCommand,
  reportCommand,
  runCommand,
  sandboxGenerateCommand,
  serveCommand,
  auditExportCommand,
  auditPruneCommand,
  auditVerifyCommand,
  reindexCommand,
  searchCommand,
  backupCommand,
  restoreCommand,
  checkpointCommand,
  evidenceCommand,
  verifyCommand,
  caseCreateCommand,
  caseListCommand,
  caseShowCommand,
  caseStatusCommand,
  holdAddCommand,
  holdListCommand,
  holdReleaseCommand,
  itemDeleteCommand,
  exportCommand,
  exportListCommand,
  verifyExportCommand,
  supervisionAddCommand,
  supervisionApplyCommand,
  supervisionListCommand,
  supervisionQueueCommand,
  supervisionReportCommand,
  migrateStoreCommand,
} from './lazy-commands.js';
import { collect } from './commands/option-parsers.js';
import { registerRetention } from './commands/retention-program.js';
import { printJson, processIo, stopWhenOutputCloses, type Io } from './io.js';

export function buildProgram(io: Io, setCode: (code: number) => void): Command {
  const program = new Command('wechat-archiver')
    .description('Self-hosted compliance archive for WeChat and WeCom business communication.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      // A fixed width keeps help identical on every terminal (and in the golden file).
      getOutHelpWidth: () => 80,
      getErrHelpWidth: () => 80,
    })
    .showHelpAfterError()
    // A subcommand's options are its own, from the program down: `export list --case ID` is the
    // list's --case, not the export's (commander needs this set on every parent of such a command).
    .enablePositionalOptions();
  guardDatabaseOption(program);

  const common = (cmd: Command) =>
    cmd
      .option('--config <file>', 'configuration file (JSON); see config.example.json')
      .option('--data-dir <dir>', 'data directory (database and blobs); default .data or $WXA_DATA_DIR')
      .option('--database <url>', 'PostgreSQL URL (postgres://...) instead of the SQLite file; or $WXA_DATABASE_URL');
  const act =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A) =>
      setCode(await fn(...args));

  common(program.command('serve'))
    .description('run the archiving service; with no connector configured, archive a sandbox tenant continuously')
    .option('--sandbox <dir>', 'archive this sandbox tenant instead of the configured connectors')
    .option('--mapping <file>', 'mapping CSV for --sandbox')
    .option('--interval <seconds>', 'seconds between runs (overrides each connector schedule)')
    .option('--workers <n>', 'decrypt worker threads (default one per core but one, at least one)')
    .option('--runs <n>', 'stop after this many runs per connector')
    .option('--host <address>', 'console listen address (default 127.0.0.1)')
    .option('--port <n>', 'console port (default 8788; 0 picks a free one)')
    .option('--no-console', 'do not serve the web console')
    .option('--no-demo', 'do not start the sandbox demo when no connector exists')
    .option('--role <role>', 'all (default), or on PostgreSQL one part: capture, worker or console')
    .option(
      '--lease-seconds <s>',
      'PostgreSQL: how long a stopped process keeps its capture, records and jobs (default 30)',
    )
    .option('--wait <seconds>', 'wait this long for another writer of the data directory to finish (default 0)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace (default info, or $WXA_LOG_LEVEL)')
    .action(act((opts) => serveCommand(opts, io)));

  common(program.command('run'))
    .description('run every connector once and report what was fetched, archived, held and failed')
    .option('--once', 'one run, then exit')
    .option('--sandbox <dir>', 'archive this sandbox tenant (no config file needed)')
    .option('--mapping <file>', 'mapping CSV for --sandbox')
    .option('--connector <id>', 'only this connector (also the id given to --sandbox; default "sandbox")')
    .option('--workers <n>', 'decrypt worker threads (default one per core but one, at least one; 0 for none)')
    .option('--wait <seconds>', 'wait this long for another writer of the data directory to finish (default 0)')
    .option('--json', 'print the report as JSON')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace (default info, or $WXA_LOG_LEVEL)')
    .action(act((opts) => runCommand(opts, io)));

  common(program.command('status'))
    .description('connectors, cursors, held records by reason, unmapped people, last runs')
    .option('--json', 'print JSON')
    .action(act((opts) => statusCommand(opts, io)));

  common(program.command('report'))
    .description('per run and per day: at source, after fan-out, delivered, held, failed, and every problem item')
    .option('--since <date>', 'start date (2026-11-01) or ISO time; default the last 24 hours')
    .option('--json', 'print JSON')
    .option('--csv', 'print the problem items as CSV')
    .action(act((opts) => reportCommand(opts, io)));

  const mailbox = program.command('mailbox').description('browse the embedded archive mailboxes');
  common(mailbox.command('list'))
    .description('every mailbox with its folder and item count')
    .option('--json', 'print JSON')
    .action(act((opts) => mailboxListCommand(opts, io)));
  common(mailbox.command('show <address>'))
    .description("the newest items of a mailbox's folder")
    .option('--folder <name>', 'folder name', 'WeChat Archiver')
    .option('--limit <n>', 'how many items', '50')
    .option('--json', 'print JSON')
    .action(act((address: string, opts) => mailboxShowCommand(address, opts, io)));

  const item = program.command('item').description('archived items');
  common(item.command('show <msgid>'))
    .description('an item by WeCom msgid; --mime prints the exact bytes delivered')
    .option('--mime', 'print the RFC 5322 message exactly as delivered')
    .option('--json', 'print JSON')
    .action(act((msgid: string, opts) => itemShowCommand(msgid, opts, io)));

  const connector = program.command('connector').description('connectors');
  common(connector.command('check'))
    .description('verify a connector can work: source, secret, keys, directory, mapping, destinations')
    .option('--sandbox <dir>', 'check this sandbox tenant instead of the configured connectors')
    .option('--connector <id>', 'only this connector')
    .option('--json', 'print JSON')
    .action(act((opts) => connectorCheckCommand(opts, io)));

  const mapping = program.command('mapping').description('people -> mailbox mapping');
  mapping
    .command('check <file>')
    .description('check a mapping CSV: every bad row with its line number and why')
    .option('--json', 'print JSON')
    .action(act((file: string, opts) => mappingCheckCommand(file, opts, io)));

  const sandbox = program.command('sandbox').description('the simulated WeCom tenant');
  sandbox
    .command('generate')
    .description('write a sandbox tenant: directory, keys, encrypted records, media')
    .requiredOption('--out <dir>', 'directory to write')
    .option('--seed <n>', 'seed: the same seed gives the same messages', '1')
    .option('--messages <n>', 'how many generated messages', '500')
    .option('--include <file>', 'decrypted WeCom messages (JSON lines) appended to the stream')
    .option('--media <dir>', 'media for --include: manifest.json maps each sdkfileid to a file in this directory')
    .option('--json', 'print the summary as JSON')
    .action(act((opts) => sandboxGenerateCommand(opts, io)));

  const audit = program.command('audit').description('the tamper-evident audit log');
  common(audit.command('verify'))
    .description('recompute the hash chain of the audit log; exit 1 when an event was altered or removed')
    .option('--json', 'print JSON')
    .action(act((opts) => auditVerifyCommand(opts, io)));
  common(audit.command('export'))
    .description('print every audit event in chain order with prev_hash and hash, as CSV or JSON')
    .option('--format <format>', 'csv or json', 'json')
    .option('--since <date>', 'only events since this date (2026-11-01) or ISO time')
    .action(act((opts) => auditExportCommand(opts, io)));
  common(audit.command('prune'))
    .description(
      'remove audit events older than audit.retentionDays (never less than the longest retention policy), leaving a chained anchor verify accepts',
    )
    .option('--dry-run', 'say what would be removed, remove nothing')
    .option('--json', 'print JSON')
    .action(act((opts) => auditPruneCommand(opts, io)));

  common(program.command('verify'))
    .description(
      'prove the archive complete and unaltered: blobs, items, raw records, mailbox entries, both logs, checkpoints, seq gaps; exit 1 naming the first broken thing',
    )
    .option('--since <date>', 'only rows, blobs and time-stamps added since this date (2026-11-01) or ISO time')
    .option('--public-key <file>', 'the Ed25519 public key (PEM) checkpoints must verify under; default evidence.pub')
    .option('--tsa-ca <file>', "the time-stamping authority's CA certificates (PEM); default evidence.tsa.caFile")
    .option('--json', 'print JSON')
    .action(act((opts) => verifyCommand(opts, io)));
  common(program.command('checkpoint'))
    .description('sign (and time-stamp, when a TSA is configured) a checkpoint of both logs now')
    .option('--json', 'print JSON')
    .action(act((opts) => checkpointCommand(opts, io)));
  common(program.command('evidence'))
    .description(
      'write an evidence package for auditors: checkpoints, signatures, time-stamps, public key, verification report, and how to check them with openssl',
    )
    .requiredOption('--out <dir>', 'a new or empty directory for the package')
    .option('--public-key <file>', 'the Ed25519 public key (PEM) to include and verify under; default evidence.pub')
    .option('--tsa-ca <file>', "the time-stamping authority's CA certificates (PEM); default evidence.tsa.caFile")
    .option('--json', 'print JSON')
    .action(act((opts) => evidenceCommand(opts, io)));

  common(program.command('search <query>'))
    .description('search the archive: words, CJK text, "phrases", OR, -term, filters (see README, Search)')
    .option('--limit <n>', 'how many results (1-500)', '50')
    .option('--sort <order>', 'newest or relevance', 'newest')
    .option('--json', 'print JSON: { total, items }')
    .action(act((query: string, opts) => searchCommand(query, opts, io)));

  common(program.command('reindex'))
    .description('rebuild the search index of the archive; safe while serve runs, resumes if interrupted')
    .option('--batch <n>', 'items per transaction (default 500)')
    .option('--json', 'print the summary as JSON')
    .action(act((opts) => reindexCommand(opts, io)));

  registerRetention(program, common, act, io);

  // eDiscovery: cases, legal holds, deletion through the hold guard
  const kase = program.command('case').description('eDiscovery cases');
  common(kase.command('create <name>'))
    .description('create a case (you become a member); prints its id')
    .option('--description <text>', 'what the case is about')
    .option('--member <username...>', 'console users who work the case')
    .option('--json', 'print the case as JSON')
    .action(act((name: string, opts) => caseCreateCommand(name, opts, io)));
  common(kase.command('list'))
    .description('every case with its status')
    .option('--json', 'print JSON')
    .action(act((opts) => caseListCommand(opts, io)));
  common(kase.command('show <id>'))
    .description('a case: members, custodians, holds with what each covers, saved searches, review sets')
    .option('--json', 'print JSON')
    .action(act((id: string, opts) => caseShowCommand(id, opts, io)));
  for (const change of ['close', 'reopen'] as const)
    common(kase.command(`${change} <id>`))
      .description(
        change === 'close'
          ? 'close a case: read-only from then on; refused while any of its legal holds is active'
          : 'reopen a closed case',
      )
      .option('--reason <text>', 'why, kept in the audit log')
      .option('--json', 'print the case id and status as JSON')
      .action(act((id: string, opts) => caseStatusCommand(change, id, opts, io)));
  const hold = program.command('hold').description('legal holds: what they cover can be deleted by nothing');
  common(hold.command('add'))
    .description("hold a custodian's mailbox (also what arrives later) or every item a query matches")
    .requiredOption('--case <id>', 'the case the hold belongs to')
    .option('--custodian <address>', 'a mailbox address')
    .option('--query <q>', 'a search query (see README, Search)')
    .option('--from <date>', 'with --query: only items sent on or after this date')
    .option('--to <date>', 'with --query: only items sent before this date')
    .option('--json', 'print the hold as JSON')
    .action(act((opts) => holdAddCommand(opts, io)));
  common(hold.command('list'))
    .description('holds with the items and bytes each covers, placed when and by whom')
    .option('--case <id>', 'only this case')
    .option('--json', 'print JSON')
    .action(act((opts) => holdListCommand(opts, io)));
  common(hold.command('release <holdId>'))
    .description('release a hold (audited)')
    .option('--reason <text>', 'why, kept in the audit log')
    .option('--json', 'print JSON')
    .action(act((id: string, opts) => holdReleaseCommand(id, opts, io)));
  common(item.command('delete <itemKey>'))
    .description("delete one mailbox's entry of an item; refused while a legal hold covers it")
    .requiredOption('--mailbox <address>', 'the mailbox whose entry goes')
    .option('--reason <text>', 'why, kept in the audit log')
    .option('--json', 'print JSON')
    .action(act((key: string, opts) => itemDeleteCommand(key, opts, io)));
  common(program.command('backup'))
    .description(
      'copy the live archive into DIR: database (online backup), new blob files checked against their SHA-256, heads and latest checkpoint',
    )
    .requiredOption('--to <dir>', 'backup directory (keep it on another disk or machine)')
    .option('--check', 'only say what the newest backup in DIR lacks; exit 1 when it is behind')
    .option('--json', 'print JSON')
    .action(act((opts) => backupCommand(opts, io)));
  program
    .command('restore')
    .description('restore the newest backup in DIR into a new data directory, then verify it')
    .requiredOption('--from <dir>', 'backup directory')
    .requiredOption('--data-dir <dir>', 'new, empty data directory')
    .option('--public-key <file>', 'the Ed25519 public key (PEM) the checkpoints must verify under')
    .option('--json', 'print JSON')
    .action(act((opts) => restoreCommand(opts, io)));
  // `export list` shares options with `export` (--case, --json, the common ones): with positional
  // options those after `list` are the list's, where `export` took them otherwise. `export`
  // without a subcommand parses and runs as before.
  const exportCommandLine = common(program.command('export'))
    .enablePositionalOptions()
    .description('export a query, a case or a review set with a manifest of SHA-256 hashes; rerun to resume')
    .option('--query <q>', 'a search query (see README, Search)')
    .option('--case <id>', "everything the case's holds preserve, or with --review-set that set")
    .option('--review-set <id>', 'a review set of the case')
    .option('--tag <tag...>', 'with --review-set: only items with one of these tags')
    .requiredOption(
      '--format <format>',
      'eml (with DAT and CSV load files), mbox, rsmf (Relativity Short Message Format 2.0.0), or pdf (a transcript per conversation)',
    )
    .requiredOption('--out <dir>', 'a new or empty directory (or the same one, to resume)')
    .option(
      '--threads <n>',
      "eml and rsmf: threads writing files besides the export's own (default one per core but one, at most 3, for 2,000 items or more; 0 for none)",
    )
    .option('--json', 'print the counts and the manifest path as JSON')
    .action(act((opts) => exportCommand(opts, io)))
    // Commander checks a command's required options for its subcommands too: --format and --out
    // are the export's own, not required of `export list`. Options before `list` are the
    // export's, which the list would not see: refused, naming them, rather than ignored.
    .hook('preSubcommand', (cmd, sub) => {
      const before = cmd.options.filter((o) => cmd.getOptionValue(o.attributeName()) !== undefined);
      if (before.length)
        cmd.error(`error: export ${sub.name()}: give ${before.map((o) => o.long).join(', ')} after "${sub.name()}"`);
      for (const o of cmd.options) o.makeOptionMandatory(false);
    });
  common(exportCommandLine.command('list'))
    .description(
      "every export the archive knows of, the console's and this command's, with or without a case, the latest first",
    )
    .option('--case <id>', "only this case's (the exports `case show` lists)")
    .option('--json', 'print JSON, with each manifest SHA-256')
    .action(act((opts) => exportListCommand(opts, io)));
  common(program.command('verify-export <dir>'))
    .description(
      "check an export's directory against its manifest (every file's size and SHA-256, nothing unlisted, the counts); exit 1 naming each problem",
    )
    .option(
      '--archive',
      "also check it against the archive that made it: its audit log recorded this manifest's SHA-256, and each item's archived MIME hash",
    )
    .option('--json', 'print JSON')
    .action(act((dir, opts) => verifyExportCommand(dir, opts, io)));

  const supervision = program
    .command('supervision')
    .description('supervision review of what staff write (see README, Supervision)');
  common(supervision.command('add'))
    .description(
      'add a supervision policy; prints its id. It flags items archived from now on; "apply" flags the history',
    )
    .requiredOption('--name <name>', 'policy name')
    .option('--lexicon <file>', 'terms and phrases, one a line, # comments (see lexicons/starter-financial.txt)')
    .option('--sample <percent>', 'share of the other in-scope items sampled for review (0-100)')
    .option('--reviewer <email>', 'a reviewer (repeat or separate with commas)', collect)
    .option('--type <msgtype>', 'message types that always flag, e.g. redpacket (repeatable)', collect)
    .option('--external', 'flag every message with an external contact')
    .option('--attachment-type <ext>', 'attachment file types that flag, e.g. xlsx (repeatable)', collect)
    .option(
      '--supervised <person>',
      'supervise only these people (id or mailbox, repeatable); default everyone',
      collect,
    )
    .option('--json', 'print the policy as JSON')
    .action(act((opts) => supervisionAddCommand(opts, io)));
  common(supervision.command('list'))
    .description('the supervision policies')
    .option('--json', 'print JSON')
    .action(act((opts) => supervisionListCommand(opts, io)));
  common(supervision.command('apply <policyId>'))
    .description('apply a policy to every archived item; returns when done, resumes if interrupted')
    .option('--json', 'print the summary as JSON')
    .action(act((id: string, opts) => supervisionApplyCommand(id, opts, io)));
  common(supervision.command('queue'))
    .description('the flagged items: policy, matched terms, state')
    .option('--policy <id>', 'only this policy')
    .option('--state <state>', 'only open, claimed, escalated or resolved items')
    .option('--json', 'print JSON: { total, items }')
    .action(act((opts) => supervisionQueueCommand(opts, io)));
  common(supervision.command('report'))
    .description('per policy and reviewer: flagged, reviewed, open, age of the oldest open item')
    .option('--json', 'print JSON')
    .action(act((opts) => supervisionReportCommand(opts, io)));

  program
    .command('migrate-store')
    .description(
      'copy an embedded archive into PostgreSQL (and its blob files into S3), resumably; then verify row counts and digests, every blob hash and both chains',
    )
    .requiredOption('--from <dir>', "the archive's data directory (it may be running: a snapshot is copied)")
    .requiredOption('--to <url>', 'an empty PostgreSQL database, postgres://USER:PASSWORD@HOST:PORT/DATABASE')
    .option('--blobs <url>', 's3://BUCKET/PREFIX/ for the blob files (default: they stay in the data directory)')
    .option('--config <file>', 'configuration whose blobs section says how to reach S3 (else the AWS_* variables)')
    .option(
      '--new-data-dir <dir>',
      'with --blobs: ready this data directory for the new deployment (key files, blob location)',
    )
    .option('--work-dir <dir>', 'where the snapshot is kept until the copy is verified (default DIR/migrate-store)')
    .option('--restart', "empty a destination holding this archive's unfinished or older copy, and copy again")
    .option(
      '--public-key <file>',
      "the Ed25519 public key (PEM) the checkpoints must verify under (default the archive's)",
    )
    .option('--batch <rows>', 'rows per transaction (default 1000)')
    .option('--json', 'print the report as JSON')
    .action(act((opts) => migrateStoreCommand(opts, io)));

  const config = program.command('config').description('configuration');
  config
    .command('schema')
    .description('print the JSON Schema of the configuration file')
    .action(
      act(async () => {
        printJson(io, configJsonSchema());
        return 0;
      }),
    );

  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  if (io === processIo) stopWhenOutputCloses();
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    io.err(`error: ${describeError(err)}\n`);
    return 1;
  }
}
