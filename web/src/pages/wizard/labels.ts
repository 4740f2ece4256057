/**
 * Catalogue keys for the wizard's fixed vocabularies (steps, destination kinds, Microsoft
 * clouds), typed against the contract so a new kind fails the build until it has a label.
 */
import type { DestinationInput } from '../../../../src/server/contract.js';
import { tk } from '../../i18n-keys.js';
import type { Step } from './draft.js';

export const STEP_LABEL: Record<Step, string> = {
  terms: tk('wizard:steps.terms'),
  source: tk('wizard:steps.source'),
  mapping: tk('wizard:steps.mapping'),
  destinations: tk('wizard:steps.destinations'),
  schedule: tk('wizard:steps.schedule'),
  review: tk('wizard:steps.review'),
};

export const STEP_INTRO: Record<Step, string> = {
  terms: tk('wizard:intro.terms'),
  source: tk('wizard:intro.source'),
  mapping: tk('wizard:intro.mapping'),
  destinations: tk('wizard:intro.destinations'),
  schedule: tk('wizard:intro.schedule'),
  review: tk('wizard:intro.review'),
};

export const DESTINATION_LABEL: Record<DestinationInput['kind'], string> = {
  archive: tk('wizard:destinations.kind.archive'),
  imap: tk('wizard:destinations.kind.imap'),
  graph: tk('wizard:destinations.kind.graph'),
  gmail: tk('wizard:destinations.kind.gmail'),
};

export const CLOUD_LABEL: Record<string, string> = {
  worldwide: tk('wizard:destinations.cloud.worldwide'),
  gcc: tk('wizard:destinations.cloud.gcc'),
  'gcc-high': tk('wizard:destinations.cloud.gcc-high'),
  dod: tk('wizard:destinations.cloud.dod'),
  china: tk('wizard:destinations.cloud.china'),
};
