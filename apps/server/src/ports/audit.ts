/** One audited action: who (user id, null for the system), what, on which target, details. */
export interface AuditEntry {
  userId: string | null;
  /** Stable dotted name, e.g. 'campaign.update'. */
  action: string;
  /** What was acted on, e.g. 'campaign:12'. */
  target: string;
  /** The change; never passwords, phone numbers or names. */
  detail: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  atMs: number;
}

/** The audit log of supervisor actions and admin changes (adapters/postgres/audit.ts, table audit_log). */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  list(opts?: { target?: string; limit?: number }): Promise<AuditRecord[]>;
}
