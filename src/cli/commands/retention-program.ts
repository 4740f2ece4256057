/** The `retention` command group's options and help, kept beside its commands rather than in main.ts. */
import { Option, type Command } from 'commander';
import type { Io } from '../io.js';
import { lazy } from '../lazy-commands.js';

// Loaded when a retention command runs, not with the program (see lazy-commands.ts).
const load = () => import('./retention.js');
const retentionAddCommand = lazy(load, 'retentionAddCommand');
const retentionEnableCommand = lazy(load, 'retentionEnableCommand');
const retentionExtendCommand = lazy(load, 'retentionExtendCommand');
const retentionListCommand = lazy(load, 'retentionListCommand');
const retentionLockCommand = lazy(load, 'retentionLockCommand');
const retentionRemoveCommand = lazy(load, 'retentionRemoveCommand');
const retentionRunCommand = lazy(load, 'retentionRunCommand');

type Act = <A extends unknown[]>(fn: (...args: A) => Promise<number>) => (...args: A) => Promise<void>;

export function registerRetention(program: Command, common: (c: Command) => Command, act: Act, io: Io): void {
  const r = program
    .command('retention')
    .description('retention policies and disposition (default: no policy, everything kept forever)');
  common(r.command('add'))
    .description('add a retention policy and print its id; without --mailbox it covers every mailbox')
    .requiredOption('--name <name>', 'policy name')
    .option('--days <n>', 'keep for this many days from the message time')
    .option('--years <n>', 'keep for this many calendar years from the message time (instead of --days)')
    .addOption(
      new Option('--action <action>', 'at the end: delete, or review by --reviewer')
        .choices(['delete', 'review'])
        .default('delete'),
    )
    .option('--reviewer <username>', 'console user who approves or postpones disposition (needed for --action review)')
    .option('--mailbox <address...>', 'only these mailboxes')
    .option('--connector <id...>', 'only these connectors')
    .option('--person <id...>', 'only messages these people (userid or external id) sent or received')
    .addOption(
      new Option('--kind <kind...>', 'only these conversation kinds').choices(['one-to-one', 'group', 'external']),
    )
    .option('--json', 'print the policy as JSON')
    .action(act((opts) => retentionAddCommand(opts, io)));
  common(r.command('list'))
    .description('every retention policy with its period, action, scope and lock')
    .option('--json', 'print JSON: { policies }')
    .action(act((opts) => retentionListCommand(opts, io)));
  common(r.command('lock <id>'))
    .description('Preservation Lock: from now on the policy can be extended, never shortened, disabled or removed')
    .option('--json', 'print the policy as JSON')
    .action(act((id: string, opts) => retentionLockCommand(id, opts, io)));
  common(r.command('update <id>'))
    .description('change the period or name of a policy (a locked policy only takes a longer period)')
    .option('--days <n>', 'new period in days')
    .option('--years <n>', 'new period in calendar years')
    .option('--name <name>', 'new name')
    .option('--json', 'print the policy as JSON')
    .action(act((id: string, opts) => retentionExtendCommand(id, opts, io)));
  common(r.command('enable <id>'))
    .description('apply the policy again')
    .option('--json', 'print the policy as JSON')
    .action(act((id: string, opts) => retentionEnableCommand(id, true, opts, io)));
  common(r.command('disable <id>'))
    .description('stop applying an unlocked policy (a locked one refuses)')
    .option('--json', 'print the policy as JSON')
    .action(act((id: string, opts) => retentionEnableCommand(id, false, opts, io)));
  common(r.command('remove <id>'))
    .description('remove an unlocked policy and cancel its open review batches (a locked one refuses)')
    .option('--json', 'print JSON')
    .action(act((id: string, opts) => retentionRemoveCommand(id, opts, io)));
  common(r.command('run'))
    .description(
      'dispose of what expired: counts deleted, kept by hold, waiting for review; --dry-run lists what would go',
    )
    .option('--dry-run', 'delete nothing; list what would go')
    .option('--batch <n>', 'entries per deletion transaction (default 1000)')
    .option('--json', 'print JSON: { deleted, keptByHold, waitingForReview, ... }')
    .action(act((opts) => retentionRunCommand(opts, io)));
}
