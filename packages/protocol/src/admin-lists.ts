import { z } from 'zod';
import { code, patchBody, typedText } from './fields.js';
import { DispositionView, ImportRowError, LeadView, NumericId, PauseCodeView } from './http.js';

/**
 * Admin API bodies and answers for lead lists, import previews and jobs, dispositions, pause
 * codes and the do-not-call list (docs/admin.md). Every limit matches the database constraint,
 * so a bad value is a 400 naming the field rather than a constraint violation.
 */

const Name = typedText(100);
const Code = code();

// ---------------------------------------------------------------------------------------------
// Lists

/** Lead counts of one list. */
export const ListCounts = z.object({
  total: z.number().int(),
  /** Never called. */
  new: z.number().int(),
  /** Not final, time zone known and due now (DNC and the calling window are checked at fill). */
  dialable: z.number().int(),
  /** Never dialed again (sale, DNC, max attempts...). */
  final: z.number().int(),
  /** Time zone unknown: never dialed. */
  unknownTimeZone: z.number().int(),
  /** Leads per status (NEW or the last disposition / outcome). */
  byStatus: z.record(z.string(), z.number().int()),
});
export type ListCounts = z.infer<typeof ListCounts>;

/** The counts of a list with no leads (a fresh list, or one the counts query did not return). */
export const emptyListCounts = (): ListCounts => ({
  total: 0,
  new: 0,
  dialable: 0,
  final: 0,
  unknownTimeZone: 0,
  byStatus: {},
});

export const AdminList = z.object({
  id: NumericId,
  campaignId: NumericId,
  name: z.string(),
  active: z.boolean(),
  createdAtMs: z.number(),
  counts: ListCounts,
});
export type AdminList = z.infer<typeof AdminList>;

export const AdminListsQuery = z.object({ campaignId: NumericId });
export type AdminListsQuery = z.infer<typeof AdminListsQuery>;

export const AdminListsResponse = z.object({ lists: z.array(AdminList) });
export type AdminListsResponse = z.infer<typeof AdminListsResponse>;

export const ListCreateBody = z
  .object({ campaignId: NumericId, name: Name, active: z.boolean().optional() })
  .strict();
export type ListCreateBody = z.infer<typeof ListCreateBody>;

export const ListUpdateBody = patchBody({ name: Name, active: z.boolean() });
export type ListUpdateBody = z.infer<typeof ListUpdateBody>;

// ---------------------------------------------------------------------------------------------
// Import preview and jobs

/** Rows a preview shows at most. */
export const PREVIEW_MAX_ROWS = 100;

/**
 * Query of POST /api/lists/:id/import/preview (body: the CSV, or its head, as text/csv). Nothing
 * is written.
 */
export const ImportPreviewQuery = z.object({
  mapping: z.string().max(8192).optional().describe('JSON object: lead field -> CSV column'),
  rows: z.coerce.number().int().min(1).max(PREVIEW_MAX_ROWS).default(20),
});
export type ImportPreviewQuery = z.infer<typeof ImportPreviewQuery>;

/** One row of the preview as it would be imported. */
export const PreviewLead = LeadView.pick({
  phone: true,
  altPhones: true,
  firstName: true,
  lastName: true,
  address: true,
  city: true,
  state: true,
  postalCode: true,
  country: true,
  timeZone: true,
}).extend({
  /** Every zone the lead may be in, comma separated ('' when unknown). */
  tzKey: z.string(),
  tzSource: z.string(),
  custom: z.record(z.string(), z.string()),
});
export type PreviewLead = z.infer<typeof PreviewLead>;

export const PreviewRow = z.object({
  /** Line in the file (the header is line 1). */
  row: z.number().int(),
  /** The row's cells as read (so a rejected row can be seen as it is in the file). */
  cells: z.array(z.string()),
  /** The normalised lead; null when the row would be rejected. */
  lead: PreviewLead.nullable(),
  errors: z.array(ImportRowError),
  warnings: z.array(ImportRowError),
  /** Would be skipped: already in the list / earlier in the file, or on a DNC list. */
  skip: z.enum(['duplicate', 'dnc']).nullable(),
});
export type PreviewRow = z.infer<typeof PreviewRow>;

export const ImportPreview = z.object({
  /** The header row as read. */
  header: z.array(z.string()),
  delimiter: z.string(),
  /** Lead field -> CSV header(s) used (named in the mapping or detected). */
  mapping: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  /** Headers that go to the lead's custom fields. */
  custom: z.array(z.string()),
  /** Lead fields a column can fill. */
  leadFields: z.array(z.string()),
  rows: z.array(PreviewRow),
  /** True when the file has more rows than the preview shows. */
  more: z.boolean(),
});
export type ImportPreview = z.infer<typeof ImportPreview>;

export const ImportJob = z.object({
  id: NumericId,
  listId: NumericId,
  fileName: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  createdBy: z.string().nullable(),
  mapping: z.record(z.string(), z.unknown()),
  rowsTotal: z.number().int(),
  imported: z.number().int(),
  rejected: z.number().int(),
  duplicates: z.number().int(),
  dnc: z.number().int(),
  /** How many row errors are stored (the first 1,000). */
  errorCount: z.number().int(),
  /** Why a failed import imported nothing. */
  error: z.string().nullable(),
  startedAtMs: z.number(),
  finishedAtMs: z.number().nullable(),
});
export type ImportJob = z.infer<typeof ImportJob>;

export const ImportJobDetail = ImportJob.extend({ errors: z.array(ImportRowError) });
export type ImportJobDetail = z.infer<typeof ImportJobDetail>;

export const ImportJobsResponse = z.object({ jobs: z.array(ImportJob) });
export type ImportJobsResponse = z.infer<typeof ImportJobsResponse>;

// ---------------------------------------------------------------------------------------------
// Dispositions and pause codes

/** Scope of a code list: the system-wide codes, or one campaign's own. */
export const CodeScopeQuery = z.object({ campaignId: NumericId.optional() });
export type CodeScopeQuery = z.infer<typeof CodeScopeQuery>;

export const AdminDisposition = z.object({
  id: NumericId,
  /** null: system-wide. */
  campaignId: NumericId.nullable(),
  ...DispositionView.shape,
  sortOrder: z.number().int(),
});
export type AdminDisposition = z.infer<typeof AdminDisposition>;

export const AdminDispositionsResponse = z.object({ dispositions: z.array(AdminDisposition) });
export type AdminDispositionsResponse = z.infer<typeof AdminDispositionsResponse>;

/** A disposition's flags and order, as the API and the server's store both check them. */
export const DispositionFlags = {
  humanAnswered: z.boolean(),
  sale: z.boolean(),
  dnc: z.boolean(),
  callback: z.boolean(),
  final: z.boolean(),
  sortOrder: z.number().int().min(-1000).max(1000),
};

const DispositionFields = { name: Name, ...DispositionFlags };

export const DispositionCreateBody = z
  .object({
    campaignId: NumericId.nullable().optional(),
    code: Code,
    name: Name,
    humanAnswered: DispositionFields.humanAnswered.optional(),
    sale: DispositionFields.sale.optional(),
    dnc: DispositionFields.dnc.optional(),
    callback: DispositionFields.callback.optional(),
    final: DispositionFields.final.optional(),
    sortOrder: DispositionFields.sortOrder.optional(),
  })
  .strict();
export type DispositionCreateBody = z.infer<typeof DispositionCreateBody>;

/** The code and scope are fixed once created (call logs and reports refer to the code). */
export const DispositionUpdateBody = patchBody(DispositionFields);
export type DispositionUpdateBody = z.infer<typeof DispositionUpdateBody>;

export const AdminPauseCode = z.object({
  id: NumericId,
  campaignId: NumericId.nullable(),
  ...PauseCodeView.shape,
});
export type AdminPauseCode = z.infer<typeof AdminPauseCode>;

export const AdminPauseCodesResponse = z.object({ pauseCodes: z.array(AdminPauseCode) });
export type AdminPauseCodesResponse = z.infer<typeof AdminPauseCodesResponse>;

/** A pause code's minutes per day (1-1440; null: no limit), as pause_codes.daily_limit_min. */
const DailyLimitMin = z
  .number('must be between 1 and 1440 minutes')
  .int('must be between 1 and 1440 minutes')
  .min(1, 'must be between 1 and 1440 minutes')
  .max(1440, 'must be between 1 and 1440 minutes')
  .nullable();

export const PauseCodeCreateBody = z
  .object({
    campaignId: NumericId.nullable().optional(),
    code: Code,
    name: Name,
    billable: z.boolean().optional(),
    dailyLimitMin: DailyLimitMin.optional(),
  })
  .strict();
export type PauseCodeCreateBody = z.infer<typeof PauseCodeCreateBody>;

export const PauseCodeUpdateBody = patchBody({
  name: Name,
  billable: z.boolean(),
  dailyLimitMin: DailyLimitMin,
});
export type PauseCodeUpdateBody = z.infer<typeof PauseCodeUpdateBody>;

// ---------------------------------------------------------------------------------------------
// Do not call

/** A phone number as typed: read in `country` (default US) and normalised to E.164. */
const TypedPhone = typedText(32);
const Country = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166 alpha-2 code such as US')
  .transform((c) => c.toUpperCase());

export const DncEntryView = z.object({
  id: NumericId,
  /** E.164. */
  phone: z.string(),
  /** null: system-wide. */
  campaignId: NumericId.nullable(),
  campaignName: z.string().nullable(),
  addedBy: z.string().nullable(),
  addedByName: z.string().nullable(),
  /** manual, disposition, import, api... */
  source: z.string(),
  note: z.string(),
  addedAtMs: z.number(),
});
export type DncEntryView = z.infer<typeof DncEntryView>;

export const DncLookupQuery = z.object({ phone: TypedPhone, country: Country.optional() });
export type DncLookupQuery = z.infer<typeof DncLookupQuery>;

export const DncLookupResponse = z.object({
  /** The number as normalised. */
  phone: z.string(),
  /** Every entry of the number: system-wide and per campaign. Empty: not on any list. */
  entries: z.array(DncEntryView),
});
export type DncLookupResponse = z.infer<typeof DncLookupResponse>;

export const DncAddBody = z
  .object({
    phone: TypedPhone,
    country: Country.optional(),
    /** Omit or null: system-wide. */
    campaignId: NumericId.nullable().optional(),
    note: z.string().max(500, 'must be at most 500 characters').optional(),
  })
  .strict();
export type DncAddBody = z.infer<typeof DncAddBody>;

export const DncAddResponse = z.object({
  entry: DncEntryView,
  /** False when the number was already on that list (nothing changed). */
  created: z.boolean(),
});
export type DncAddResponse = z.infer<typeof DncAddResponse>;

export const DNC_PAGE_MAX = 200;

export const DncListQuery = z.object({
  /** A campaign id, 'system' for the system-wide list; omitted: every list. */
  scope: z.union([NumericId, z.literal('system')]).optional(),
  limit: z.coerce.number().int().min(1).max(DNC_PAGE_MAX).default(50),
  /** Entries older than this id (the previous page's nextBeforeId). */
  beforeId: NumericId.optional(),
});
export type DncListQuery = z.infer<typeof DncListQuery>;

export const DncListResponse = z.object({
  entries: z.array(DncEntryView),
  /** Entries in the scope. */
  total: z.number().int(),
  /** Pass as beforeId for the next page; null on the last page. */
  nextBeforeId: NumericId.nullable(),
});
export type DncListResponse = z.infer<typeof DncListResponse>;

export const DncRemoveResponse = z.object({ removed: DncEntryView });
export type DncRemoveResponse = z.infer<typeof DncRemoveResponse>;
