/**
 * Reports: agent time, agent performance, outbound, compliance and lead history, with CSV.
 * Owns no storage: the queries are behind ports/reports.ts (adapters/postgres/reports/).
 */
export { csvLine } from './csv.js';
export { ReportsService } from './reports-service.js';
