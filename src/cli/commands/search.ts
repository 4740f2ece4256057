/**
 * `search QUERY` and `reindex`. A search from the command line is audited like one from the
 * console (action `search`, the query and the number of results, actor = the OS user), since
 * reading the archive is what the audit log exists to record.
 */
import { userInfo } from 'node:os';
import cliProgress from 'cli-progress';
import { appendAudit } from '../../compliance/audit/index.js';
import { searchArchive, type SearchHit } from '../../compliance/search/index.js';
import { reindexArchive } from '../../compliance/search/reindex.js';
import { isArchiverError } from '../../core/errors.js';
import { openConfiguredStore, resolveConfig, type CommonFlags } from '../context.js';
import { printJson, type Io } from '../io.js';

export interface SearchFlags extends CommonFlags {
  limit?: string;
  json?: boolean;
  sort?: string;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? 'unknown';
  }
}

/** The snippet with each hit marked: reverse video on a terminal, **bold** markers otherwise. */
export function markHits(hit: Pick<SearchHit, 'snippet' | 'highlights'>, tty: boolean): string {
  const [open, close] = tty ? ['\u001b[7m', '\u001b[27m'] : ['**', '**'];
  let out = '';
  let at = 0;
  for (const [s, e] of hit.highlights) {
    out += hit.snippet.slice(at, s) + open + hit.snippet.slice(s, e) + close;
    at = e;
  }
  return out + hit.snippet.slice(at);
}

function hitLine(h: SearchHit, tty: boolean): string {
  const from = h.from.name ? `${h.from.name} (${h.from.id})` : h.from.id;
  const conv = h.conversation.name ?? h.conversation.id;
  const flags = [h.recalled ? 'recalled' : '', h.hasAttachments ? 'attachment' : ''].filter(Boolean).join(', ');
  return (
    `${h.time.replace('.000Z', 'Z')}  ${from} in ${conv}  [${h.msgtype}${flags ? `; ${flags}` : ''}]  ${h.msgid}\n` +
    `    ${markHits(h, tty)}\n`
  );
}

export async function searchCommand(query: string, flags: SearchFlags, io: Io): Promise<number> {
  const limit = flags.limit === undefined ? undefined : Number(flags.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 500)) {
    io.err(`search: --limit takes a whole number from 1 to 500, not "${flags.limit}"\n`);
    return 2;
  }
  if (flags.sort !== undefined && flags.sort !== 'newest' && flags.sort !== 'relevance') {
    io.err(`search: --sort is newest or relevance, not "${flags.sort}"\n`);
    return 2;
  }
  const cfg = await resolveConfig(flags);
  const store = await openConfiguredStore(cfg, flags);
  try {
    let result;
    try {
      result = await searchArchive(store, {
        query,
        ...(limit !== undefined ? { limit } : {}),
        ...(flags.sort ? { sort: flags.sort as 'newest' | 'relevance' } : {}),
      });
    } catch (err) {
      if (!isArchiverError(err, 'WXA_SEARCH_QUERY_INVALID')) throw err;
      const position = Number(err.details?.['position'] ?? 0);
      if (flags.json) printJson(io, { error: { code: err.code, message: err.message, ...err.details } });
      else io.err(`search: ${err.message}\n  ${query}\n  ${' '.repeat(position)}^\n`);
      return 2;
    }
    await appendAudit(
      store.db,
      { actor: osUser(), action: 'search', target: 'archive', detail: { query, results: result.total, via: 'cli' } },
      Date.now(),
    );
    if (flags.json) {
      printJson(io, result);
      return 0;
    }
    io.out(
      `${result.total} result${result.total === 1 ? '' : 's'}${result.total > result.items.length ? `, showing ${result.items.length}` : ''}\n`,
    );
    for (const h of result.items) io.out(hitLine(h, io.tty));
    return 0;
  } finally {
    await store.close();
  }
}

export async function reindexCommand(flags: CommonFlags & { json?: boolean; batch?: string }, io: Io): Promise<number> {
  const batchSize = flags.batch === undefined ? undefined : Number(flags.batch);
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)) {
    io.err(`reindex: --batch takes a whole number from 1 to 10000, not "${flags.batch}"\n`);
    return 2;
  }
  const cfg = await resolveConfig(flags);
  const store = await openConfiguredStore(cfg, flags);
  const bar =
    !flags.json && io.tty ? new cliProgress.SingleBar({ format: 'reindex [{bar}] {value}/{total} items' }) : undefined;
  let started = false;
  try {
    const summary = await reindexArchive(store, {
      ...(batchSize !== undefined ? { batchSize } : {}),
      onProgress: (p) => {
        if (!bar) return;
        if (!started) {
          bar.start(Math.max(p.total, 1), p.done);
          started = true;
        }
        bar.setTotal(Math.max(p.total, 1));
        bar.update(p.done);
      },
    });
    bar?.stop();
    if (flags.json) printJson(io, summary);
    else
      io.out(
        `reindexed ${summary.indexed} of ${summary.items} items${summary.resumed ? ' (resumed an interrupted reindex)' : ''}` +
          ` in ${(summary.durationMs / 1000).toFixed(1)} s; ${summary.removed} stale rows removed; ` +
          `${summary.unreadableAttachments} attachment(s) indexed by name only (their text could not be read)\n`,
      );
    return 0;
  } finally {
    bar?.stop();
    await store.close();
  }
}
