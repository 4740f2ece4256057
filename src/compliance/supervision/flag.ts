/**
 * Decides which policies flag an item and why. The same function runs as items are archived
 * and when a policy is applied to the history, over the same search document, so applying a
 * policy later flags exactly what it would have flagged at ingest.
 */
import { createHash } from 'node:crypto';
import type { SearchDocument } from '../search/index.js';
import { tokenizeFields } from '../search/index.js';
import { aliasKey } from '../search/aliases.js';
import type { SupervisionFlagWrite } from '../../store/supervision.js';
import type { CompiledPolicy } from './policy.js';

/** Whether an item falls in a policy's sample: SHA-256(policy id, item key) mod 10000 below the share. */
export function sampled(policyId: number, itemKey: string, basisPoints: number): boolean {
  if (basisPoints <= 0) return false;
  if (basisPoints >= 10_000) return true;
  const h = createHash('sha256').update(`${policyId}\u0000${itemKey}`).digest();
  return h.readUInt32BE(0) % 10_000 < basisPoints;
}

/** The text supervision reads: what people wrote and sent, not who they are. */
export function supervisedTokens(doc: SearchDocument): string[] {
  return tokenizeFields([...doc.texts, ...doc.fileNames, ...doc.attachmentTexts]);
}

function inScope(p: CompiledPolicy, doc: SearchDocument): boolean {
  if (!p.supervised) return true;
  for (const person of [doc.from, ...doc.to]) {
    if (p.supervised.has(aliasKey(person.id))) return true;
    if (person.mailbox && p.supervised.has(aliasKey(person.mailbox))) return true;
  }
  return doc.mailboxes.some((m) => p.supervised!.has(aliasKey(m)));
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** The flags the policies raise on one item (none when nothing applies). */
export function flagsFor(policies: readonly CompiledPolicy[], doc: SearchDocument): SupervisionFlagWrite[] {
  if (policies.length === 0) return [];
  let tokens: string[] | undefined;
  const out: SupervisionFlagWrite[] = [];
  for (const p of policies) {
    if (!inScope(p, doc)) continue;
    const reasons: string[] = [];
    let terms: string[] = [];
    if (p.conditions.terms.length > 0) {
      tokens ??= supervisedTokens(doc);
      terms = p.phrases.match(tokens).map((i) => p.conditions.terms[i]!);
      if (terms.length > 0) reasons.push('lexicon');
    }
    if (p.msgtypes.has(doc.msgtype.toLowerCase())) reasons.push(`type:${doc.msgtype.toLowerCase()}`);
    if (p.conditions.external && doc.external) reasons.push('external');
    if (p.attachmentTypes.size > 0) {
      const hit = doc.fileNames.map(extensionOf).find((e) => p.attachmentTypes.has(e));
      if (hit) reasons.push(`attachment:${hit}`);
    }
    if (reasons.length === 0 && sampled(p.id, doc.itemKey, p.conditions.sampleBasisPoints)) reasons.push('sample');
    if (reasons.length === 0) continue;
    out.push({
      policyId: p.id,
      policyVersion: p.version,
      itemKey: doc.itemKey,
      connectorId: doc.connectorId,
      msgid: doc.msgid,
      msgTime: doc.time,
      terms,
      reasons,
    });
  }
  return out;
}
