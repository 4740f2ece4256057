/**
 * `connector check`: verifies, without archiving anything, that a connector can work: the
 * source opens and passes its own checks (for WeCom: the vendor library loads, the secret is
 * accepted, each configured key decrypts a recent message of its version, every key version in
 * use is configured, the directory API answers), the mapping file reads, and each destination
 * accepts our credentials.
 * Every failed line says exactly what is wrong and what to do.
 */
import type { ConnectorConfig } from '../config/index.js';
import { describeError } from '../core/errors.js';
import type { SourceCheckLine, SourceRegistry } from '../sources/types.js';
import type { Db } from '../store/index.js';
import { buildConnector, type RuntimeSecrets } from './connector.js';

export type CheckLine = SourceCheckLine;

export interface CheckReport {
  connectorId: string;
  ok: boolean;
  lines: CheckLine[];
}

export async function checkConnector(
  cfg: ConnectorConfig,
  opts: { sources: SourceRegistry; db?: Db; cursor?: string; secrets?: RuntimeSecrets },
): Promise<CheckReport> {
  const lines: CheckLine[] = [];
  const add = (check: string, ok: boolean, detail: string) => lines.push({ check, ok, detail });
  let built: Awaited<ReturnType<typeof buildConnector>> | undefined;
  try {
    built = await buildConnector(cfg, {
      workers: 0,
      sources: opts.sources,
      ...(opts.db ? { db: opts.db } : {}),
      ...(opts.secrets ? { secrets: opts.secrets } : {}),
    });
    add('source', true, built.runtime.source.description);
  } catch (err) {
    add('source', false, describeError(err));
    return { connectorId: cfg.id, ok: false, lines };
  }
  try {
    const rt = built.runtime;
    // The source's own lines: its credentials, its keys, its directory.
    try {
      lines.push(...(await rt.source.check(opts.cursor)));
    } catch (err) {
      add('source checks', false, describeError(err));
    }
    add(
      'mapping',
      built.mappingProblems.length === 0,
      built.mappingProblems.length === 0
        ? 'the mapping reads without problems'
        : `${built.mappingProblems.length} bad row(s); first: ${built.mappingProblems[0]}`,
    );
    for (const d of rt.destinations) {
      try {
        const r = await d.destination.check();
        add(`destination ${d.id}`, r.ok, r.details.join('; '));
      } catch (err) {
        add(`destination ${d.id}`, false, describeError(err));
      }
    }
  } finally {
    await built.close();
  }
  return { connectorId: cfg.id, ok: lines.every((l) => l.ok), lines };
}
