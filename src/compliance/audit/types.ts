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

export interface AuditPage {
  events: AuditEvent[];
  next: string | null;
}
