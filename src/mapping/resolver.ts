/**
 * People to mailboxes, in the order the reference connector uses and then some: the custom
 * CSV first, then what the directory knows, then an address template and a catch-all. The
 * map stage calls `resolve` once per participant per message, so every lookup is a Map hit
 * built once, and each answer is remembered. A resolver is tied to the rows and directory
 * snapshot it was built from: build a new one when either changes.
 */
import type { CountryCode } from 'libphonenumber-js/max';
import type { DirectorySnapshot } from '../core/directory.js';
import { ArchiverError } from '../core/errors.js';
import { personKindOf, type Person } from '../core/model.js';
import { checkMailbox } from './mailbox.js';
import { normalizeMobile } from './phone.js';
import type { MappingRow } from './types.js';

export type ResolvedVia =
  /** the CSV maps this WeCom userid (matched ignoring case) */
  | 'csv-userid'
  /** the CSV maps the person's directory mobile (compared in E.164) */
  | 'csv-mobile'
  /** the CSV maps this external contact id */
  | 'csv-external'
  /** the directory's e-mail for the person (when automatic mapping is on) */
  | 'directory-email'
  /** the address template applied to an employee's userid */
  | 'template'
  /** nothing else matched; the configured catch-all mailbox */
  | 'catch-all';

export type Resolution = { mailbox: string; via: ResolvedVia } | { mailbox: null; reason: 'unmapped' };

export interface ResolverOptions {
  csvRows: readonly MappingRow[];
  directory?: DirectorySnapshot;
  /** use the directory's e-mail address when the CSV has no row for the person */
  autoFromDirectoryEmail: boolean;
  /** e.g. `{userid}@example.com`; applied to employees only (externals have no address of ours) */
  addressTemplate?: string;
  /** mailbox for everyone nothing else maps */
  catchAll?: string;
  /** region for directory mobiles written without a country code; default CN */
  defaultRegion?: CountryCode;
}

export interface Resolver {
  resolve(personId: string): Resolution;
}

const UNMAPPED: Resolution = Object.freeze({ mailbox: null, reason: 'unmapped' });
const PLACEHOLDER = '{userid}';

/** Build the lookup maps once; throws WXA_CONFIG_INVALID when the template or catch-all cannot make an address. */
export function createResolver(opts: ResolverOptions): Resolver {
  const region = opts.defaultRegion ?? 'CN';
  const byUserid = new Map<string, string>();
  const byExternal = new Map<string, string>();
  const byMobile = new Map<string, string>();
  // Rows from parseMappingCsv never disagree; for rows from elsewhere the first one wins, as in the file.
  for (const row of opts.csvRows) {
    if (row.userid !== undefined && !byUserid.has(row.userid.toLowerCase()))
      byUserid.set(row.userid.toLowerCase(), row.mailbox);
    if (row.externalId !== undefined && !byExternal.has(row.externalId)) byExternal.set(row.externalId, row.mailbox);
    if (row.mobile !== undefined && !byMobile.has(row.mobile)) byMobile.set(row.mobile, row.mailbox);
  }
  const people = new Map<string, Person>((opts.directory?.people ?? []).map((p) => [p.id, p]));
  const template = opts.addressTemplate === undefined ? undefined : checkTemplate(opts.addressTemplate);
  const catchAll = opts.catchAll === undefined ? undefined : checkCatchAll(opts.catchAll);
  const memo = new Map<string, Resolution>();

  function compute(id: string): Resolution {
    if (id === '') return UNMAPPED;
    const viaUserid = byUserid.get(id.toLowerCase());
    if (viaUserid) return { mailbox: viaUserid, via: 'csv-userid' };
    const viaExternal = byExternal.get(id);
    if (viaExternal) return { mailbox: viaExternal, via: 'csv-external' };
    const person = people.get(id);
    if (person?.mobile && byMobile.size > 0) {
      const m = normalizeMobile(person.mobile, region);
      const viaMobile = m.ok ? byMobile.get(m.e164) : undefined;
      if (viaMobile) return { mailbox: viaMobile, via: 'csv-mobile' };
    }
    // Directory e-mail maps employees only: an external contact's address is another firm's mailbox.
    if (opts.autoFromDirectoryEmail && person?.email && (person.kind ?? personKindOf(id)) === 'internal') {
      const e = checkMailbox(person.email);
      if (e.ok) return { mailbox: e.address, via: 'directory-email' };
    }
    if (template && (person?.kind ?? personKindOf(id)) === 'internal') {
      const e = checkMailbox(template.split(PLACEHOLDER).join(id));
      if (e.ok) return { mailbox: e.address, via: 'template' };
    }
    if (catchAll) return { mailbox: catchAll, via: 'catch-all' };
    return UNMAPPED;
  }

  return {
    resolve(personId: string): Resolution {
      let r = memo.get(personId);
      if (!r) {
        r = Object.freeze(compute(personId));
        memo.set(personId, r);
      }
      return r;
    },
  };
}

function checkTemplate(template: string): string {
  if (!template.includes(PLACEHOLDER)) {
    throw new ArchiverError(
      'WXA_CONFIG_INVALID',
      `addressTemplate "${template}" has no ${PLACEHOLDER}; write it like {userid}@example.com`,
    );
  }
  const sample = checkMailbox(template.split(PLACEHOLDER).join('zhangsan'));
  if (!sample.ok) {
    throw new ArchiverError(
      'WXA_CONFIG_INVALID',
      `addressTemplate "${template}" does not make a valid address: ${sample.reason}`,
    );
  }
  return template;
}

function checkCatchAll(address: string): string {
  const r = checkMailbox(address);
  if (!r.ok) throw new ArchiverError('WXA_CONFIG_INVALID', `catchAll: ${r.reason}`);
  return r.address;
}
