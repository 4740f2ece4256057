/** The ordered list of migrations, kept in code so that a built package needs no migration folder. */
import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-initial.js';
import * as m002 from './002-console.js';
import * as m003 from './003-console-indexes.js';
import * as m004 from './004-connector-counters.js';
import * as m005 from './005-secret-identity.js';
import * as m006 from './006-hold-participants.js';
import * as m006s from './006-search.js';
import * as m007 from './007-evidence.js';
import * as m009 from './009-delivery-limits.js';
import * as m010 from './010-cases.js';
import * as m011 from './011-retention.js';
import * as m012 from './012-supervision.js';
import * as m013 from './013-verify-runs.js';
import * as m014 from './014-export-jobs.js';
import * as m015 from './015-case-tags.js';
import * as m017 from './017-record-outcomes.js';
import * as m019 from './019-delivery-doubt.js';
import * as m021 from './021-search-fts-tuning.js';
import * as m022 from './022-connector-entry-counter.js';
import * as m025 from './025-verify-run-reports.js';
import * as m026 from './026-search-facet-ids.js';
import * as m029 from './029-search-postgres.js';
import * as m030 from './030-leases.js';
import * as m031 from './031-delivery-lease-token.js';
import * as m033 from './033-outcome-counters.js';
import * as m034 from './034-ingest-log-bytes.js';
import * as m035 from './035-run-owners.js';
import * as m036 from './036-record-claims.js';
import * as m037 from './037-run-progress.js';
import * as m039 from './039-export-job-owners.js';
import * as m040 from './040-connector-controls.js';
import * as m041 from './041-cli-exports.js';

const MIGRATIONS: Record<string, Migration> = {
  '001-initial': m001,
  '002-console': m002,
  '003-console-indexes': m003,
  '004-connector-counters': m004,
  '005-secret-identity': m005,
  '006-hold-participants': m006,
  '006-search': m006s,
  '007-evidence': m007,
  '009-delivery-limits': m009,
  '010-cases': m010,
  '011-retention': m011,
  '012-supervision': m012,
  '013-verify-runs': m013,
  '014-export-jobs': m014,
  '015-case-tags': m015,
  '017-record-outcomes': m017,
  '019-delivery-doubt': m019,
  '021-search-fts-tuning': m021,
  '022-connector-entry-counter': m022,
  '025-verify-run-reports': m025,
  '026-search-facet-ids': m026,
  '029-search-postgres': m029,
  '030-leases': m030,
  '031-delivery-lease-token': m031,
  '033-outcome-counters': m033,
  '034-ingest-log-bytes': m034,
  '035-run-owners': m035,
  '036-record-claims': m036,
  '037-run-progress': m037,
  '039-export-job-owners': m039,
  '040-connector-controls': m040,
  '041-cli-exports': m041,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
