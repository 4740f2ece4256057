/**
 * A process that takes an archive database's writer lock and keeps it until it is killed: the
 * holder in tests of what a second writer sees, and of a holder killed with SIGKILL.
 *   node --import tsx test/helpers/hold-database-lock.ts URL COMMAND
 */
import { acquireDatabaseWriterLock } from '../../src/store/writer-lock-postgres.js';

const [url, command] = process.argv.slice(2);
await acquireDatabaseWriterLock(url!, { command: command ?? 'serve' });
process.stdout.write('held\n');
setInterval(() => undefined, 60_000);
