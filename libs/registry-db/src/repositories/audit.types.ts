export type AuditOutcome = 'success' | 'failure';

/** One append-only audit event: who, what, outcome, why, from where. */
export interface NewAuditEvent {
  action: string;
  outcome: AuditOutcome;
  accountId?: string | null;
  certificateId?: string | null;
  /** Problem code (or other stable reason) of a failure. */
  reason?: string | null;
  requestId?: string | null;
  /** Must be an IP address (the column is inet); anything else is stored as null. */
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEvent extends Required<Omit<NewAuditEvent, 'details'>> {
  id: string;
  at: Date;
  details: Record<string, unknown>;
}
