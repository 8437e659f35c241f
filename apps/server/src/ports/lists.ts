import type { CampaignId, ListId } from '@ringside/protocol';

export interface LeadList {
  id: ListId;
  campaignId: CampaignId;
  name: string;
  active: boolean;
  createdAt: Date;
}

/** Lead counts of one list. */
export interface ListCounts {
  total: number;
  /** Never called. */
  new: number;
  /** Final (sale, DNC, ... or max attempts reached): never dialed again. */
  final: number;
  /** Time zone unknown: the hopper never dials them. */
  unknownTimeZone: number;
}

/** Lead counts of one list for the admin screens. */
export interface ListSummary {
  listId: ListId;
  total: number;
  new: number;
  /** Not final, time zone known, due now (DNC and the calling window are checked at fill). */
  dialable: number;
  final: number;
  unknownTimeZone: number;
  byStatus: Record<string, number>;
}

export type ImportJobStatus = 'running' | 'done' | 'failed';

/** One import_jobs row; `errors` are the first 1,000 row errors the import kept. */
export interface ImportJobRecord {
  id: string;
  listId: ListId;
  fileName: string;
  status: ImportJobStatus;
  createdBy: string | null;
  mapping: Record<string, unknown>;
  rowsTotal: number;
  imported: number;
  rejected: number;
  duplicates: number;
  dnc: number;
  errorCount: number;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  errors: Array<{ row: number; column: string; reason: string }>;
}

export interface ListsRepo {
  create(input: { campaignId: string; name: string; active?: boolean }): Promise<LeadList>;
  get(id: string): Promise<LeadList | null>;
  listByCampaign(campaignId: string): Promise<LeadList[]>;
  update(id: string, patch: { name?: string; active?: boolean }): Promise<LeadList>;
  counts(id: string): Promise<ListCounts>;
  /** Counts of every list of the campaign (lists without leads are absent). One scan. */
  summaries(campaignId: string): Promise<ListSummary[]>;
  /** A list's imports, newest first (without their row errors). */
  importJobs(listId: string, limit?: number): Promise<Array<Omit<ImportJobRecord, 'errors'>>>;
  /** One import with its stored row errors; null when absent. */
  importJob(id: string): Promise<ImportJobRecord | null>;
}
