/**
 * Import: CSV leads into a list (sniff, encoding, column mapping, row checks, COPY in batches),
 * its preview, and `npm run import` (cli.ts). Reached by http/routes/import.ts and the CLI.
 */
export { importLeads, DEFAULT_BATCH_ROWS, MAX_REPORTED } from './import-leads.js';
export type { ImportDeps, ImportOptions, ImportReport, TzSourceCounts } from './import-leads.js';
export { LEAD_FIELDS, checkMapping } from './mapping.js';
export type { ColumnMapping, LeadField } from './mapping.js';
export type { ImportRowError } from './row.js';
export { previewImport, PREVIEW_MAX_BYTES, PREVIEW_DEFAULT_ROWS } from './preview.js';
export type { ImportPreviewResult, PreviewOptions, PreviewRow } from './preview.js';
