/**
 * What keeps each wizard step from going on, as catalogue keys (wizard namespace) so the page
 * shows them in the reader's language. Only blocking problems: a choice the user may make on
 * purpose (no mapping at all, say) is not one.
 */
import { tk } from '../../i18n-keys.js';
import {
  destinationIndex,
  ID_PATTERN,
  MAX_INTERVAL_SECONDS,
  secretIsSet,
  STEPS,
  type Step,
  type WizardDraft,
  type WizardMode,
} from './draft.js';

const isPositiveInt = (s: string, max = Number.MAX_SAFE_INTEGER): boolean =>
  /^\d+$/.test(s.trim()) && Number(s) >= 1 && Number(s) <= max;
const looksLikeEmail = (s: string): boolean => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s.trim());

function sourceIssues(draft: WizardDraft, mode: WizardMode): string[] {
  const issues: string[] = [];
  if (!draft.name.trim()) issues.push(tk('wizard:issues.nameRequired'));
  if (!ID_PATTERN.test(draft.id)) issues.push(tk('wizard:issues.idInvalid'));
  if (draft.sourceKind === 'sandbox') {
    if (draft.sandboxMessages.trim() && !isPositiveInt(draft.sandboxMessages, 100_000)) {
      issues.push(tk('wizard:issues.sandboxMessagesInvalid'));
    }
    return issues;
  }
  if (!draft.corpId.trim()) issues.push(tk('wizard:issues.corpIdRequired'));
  if (!draft.sdkLibrary.trim()) issues.push(tk('wizard:issues.sdkLibraryRequired'));
  if (!draft.archiveSecret && !(mode.editing && secretIsSet(mode.secrets, 'archiveSecret'))) {
    issues.push(tk('wizard:issues.archiveSecretRequired'));
  }
  const keys = draft.privateKeys.filter((k) => k.pem.trim() || k.version.trim() !== '');
  const entered = keys.filter((k) => k.pem.trim());
  if (entered.length === 0 && !(mode.editing && secretIsSet(mode.secrets, 'privateKeys'))) {
    issues.push(tk('wizard:issues.privateKeyRequired'));
  }
  if (entered.some((k) => !isPositiveInt(k.version))) issues.push(tk('wizard:issues.keyVersionInvalid'));
  if (entered.some((k) => !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(k.pem))) {
    issues.push(tk('wizard:issues.keyPemInvalid'));
  }
  const versions = entered.map((k) => Number(k.version));
  if (new Set(versions).size !== versions.length) issues.push(tk('wizard:issues.keyVersionDuplicate'));
  return issues;
}

function mappingIssues(draft: WizardDraft): string[] {
  const issues: string[] = [];
  if (draft.csv !== null && draft.csvPreview === null) issues.push(tk('wizard:issues.csvPending'));
  if ((draft.csvPreview?.errorCount ?? 0) > 0) issues.push(tk('wizard:issues.csvHasErrors'));
  const template = draft.addressTemplate.trim();
  if (template && (!template.includes('{userid}') || !looksLikeEmail(template.split('{userid}').join('x')))) {
    issues.push(tk('wizard:issues.templateInvalid'));
  }
  if (draft.catchAll.trim() && !looksLikeEmail(draft.catchAll)) issues.push(tk('wizard:issues.catchAllInvalid'));
  return issues;
}

function destinationIssues(draft: WizardDraft, mode: WizardMode): string[] {
  const issues = new Set<string>();
  draft.destinations.forEach((d, i) => {
    const stored = mode.editing && secretIsSet(mode.secrets, `destinations.${destinationIndex(i)}`);
    if (!d.secret && !stored) issues.add(tk('wizard:issues.destinationSecretRequired'));
    if (d.kind === 'imap') {
      if (!d.host.trim()) issues.add(tk('wizard:issues.imapHostRequired'));
      if (d.port.trim() && !isPositiveInt(d.port, 65_535)) issues.add(tk('wizard:issues.imapPortInvalid'));
      if (d.authKind === 'master' && !d.masterUser.trim()) issues.add(tk('wizard:issues.imapMasterUserRequired'));
      if (!looksLikeEmail(d.checkMailbox)) issues.add(tk('wizard:issues.imapCheckMailboxInvalid'));
    } else if (d.kind === 'graph') {
      if (!d.tenantId.trim() || !d.clientId.trim()) issues.add(tk('wizard:issues.graphIdsRequired'));
      if (d.maxMessageMb.trim() && !isPositiveInt(d.maxMessageMb, 150)) {
        issues.add(tk('wizard:issues.graphMaxMessageInvalid'));
      }
    } else if (d.secret && !isJsonObject(d.secret)) {
      issues.add(tk('wizard:issues.gmailKeyInvalid'));
    }
  });
  return [...issues];
}

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** What keeps `step` from going on (catalogue keys); empty when Next may be pressed. */
export function stepIssues(step: Step, draft: WizardDraft, mode: WizardMode): string[] {
  switch (step) {
    case 'terms':
      return draft.termsAccepted ? [] : [tk('wizard:issues.termsNotAccepted')];
    case 'source':
      return sourceIssues(draft, mode);
    case 'mapping':
      return mappingIssues(draft);
    case 'destinations':
      return destinationIssues(draft, mode);
    case 'schedule':
      return isPositiveInt(draft.intervalSeconds, MAX_INTERVAL_SECONDS) ? [] : [tk('wizard:issues.intervalInvalid')];
    case 'review':
      return STEPS.filter((s) => s !== 'review').flatMap((s) => stepIssues(s, draft, mode));
  }
}
