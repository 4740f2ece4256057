/**
 * The audit log as its readers see it: one event (who did what to which target, when, from where,
 * with details that never hold secrets or message content) and a page of them.
 */

export interface AuditEvent {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
  ip: string;
}

/** An event as the audit page lists it: with its place in the hash chain, shown on demand. */
export interface AuditListedEvent extends AuditEvent {
  prevHash: string;
  hash: string;
}

export interface AuditPage {
  events: AuditListedEvent[];
  next: string | null;
  /** names of the cases these events mention (detail.caseId, a case's id as target, export's case:N), by id */
  cases: Record<string, string>;
}
