/**
 * Import: CSV leads into a list (sniff, encoding, column mapping, row checks, batches) and its
 * preview. Storage behind ports/import.ts; wired in roles/api-admin.ts and roles/import-cli.ts.
 */
export { importLeads, DEFAULT_BATCH_ROWS, MAX_REPORTED } from './import-leads.js';
export type { ImportDeps, ImportOptions, ImportReport, TzSourceCounts } from './import-leads.js';
export { LEAD_FIELDS, checkMapping } from './mapping.js';
export type { ColumnMapping, LeadField } from './mapping.js';
export type { ImportRowError } from './row.js';
export { previewImport, PREVIEW_MAX_BYTES, PREVIEW_DEFAULT_ROWS } from './preview.js';
export type { ImportPreviewResult, PreviewOptions, PreviewRow } from './preview.js';
