/**
 * The audit page's "Action" filter: every registered action grouped by area, each area with an
 * "all of it" choice (the API's 'area.*' prefix) when it has more than one action. An action
 * the registry does not know (an older event's code in a shared link) is still offered as is.
 */
import {
  AUDIT_ACTION_CODES,
  AUDIT_AREAS,
  auditArea,
  type AuditAction,
} from '../../../../src/compliance/audit/actions.js';

export interface KindGroup {
  area: string;
  /** the prefix filter for the whole area, or null when the area has one action */
  all: string | null;
  actions: AuditAction[];
}

export const KIND_GROUPS: KindGroup[] = AUDIT_AREAS.map((area) => {
  const actions = AUDIT_ACTION_CODES.filter((c) => auditArea(c) === area);
  return { area, all: actions.length > 1 ? `${area}.*` : null, actions };
});

/** Whether a filter value is one the select offers. */
export function isOffered(value: string): boolean {
  return value === '' || KIND_GROUPS.some((g) => g.all === value || (g.actions as string[]).includes(value));
}
