import type { LeadFields, TzSource } from './leads.js';

/** A row ready for the staging table: the lead's fields, its file line and its zones. */
export interface StagedLead extends LeadFields {
  row: number;
  tzKey: string;
  tzSource: TzSource;
  custom: Record<string, string>;
}

/** What one batch did: rows held back (DNC, or a phone already in the list or the file). */
export interface ImportBatchOutcome {
  /** Rows not inserted, by file line; `dnc` false: a duplicate. */
  skipped: Array<{ row: number | null; dnc: boolean }>;
  /** Inserted leads per time-zone source. */
  timeZones: Array<{ tzSource: StagedLead['tzSource']; n: number }>;
}

/** The counts an import_jobs row keeps of a finished import. */
export interface ImportJobTotals {
  rowsTotal: number;
  imported: number;
  rejected: number;
  duplicates: number;
  dnc: number;
  /** The reported row problems and the mapping used, stored as JSON. */
  errors: unknown[];
  mapping: Record<string, string | string[]>;
}

/**
 * One import's transaction (adapters/postgres/lead-import.ts): batches are staged and moved into
 * leads; the import either commits with its import_jobs totals or rolls back entirely.
 */
export interface LeadImportTransaction {
  /**
   * Inserts a batch into the list: leads on a DNC list (system-wide or the campaign's) and
   * repeats of a phone are held back; every inserted lead gets its 'imported' lead_log row.
   */
  insertBatch(
    leads: ReadonlyArray<StagedLead>,
    to: { listId: string; campaignId: string; jobId: string },
  ): Promise<ImportBatchOutcome>;
  /** Marks the job done with its totals and commits. */
  commit(jobId: string, totals: ImportJobTotals): Promise<void>;
  rollback(): Promise<void>;
  /** Gives the connection back; call once, after commit or rollback. */
  release(): void;
}

/** Where lead imports and their previews read and write (PostgreSQL: lists, leads, import_jobs, dnc). */
export interface LeadImportStore {
  /** The campaign id of a list; null when the list does not exist. */
  listCampaign(listId: string): Promise<string | null>;
  /** A running import_jobs row; returns its id. */
  createJob(job: {
    listId: string;
    fileName: string;
    createdBy: string | null;
    mapping: Record<string, unknown>;
  }): Promise<string>;
  /** Opens the import's transaction with an empty staging table. */
  begin(): Promise<LeadImportTransaction>;
  /** Marks the job failed (outside the rolled-back transaction). */
  failJob(jobId: string, message: string, rowsTotal: number): Promise<void>;
  /** Per phone: on a DNC list of the campaign (or system-wide), already in the list. */
  knownPhones(
    listId: string,
    campaignId: string,
    phones: ReadonlyArray<string>,
  ): Promise<Array<{ phone: string; dnc: boolean; listed: boolean }>>;
}
