/**
 * @ringside/ari: Asterisk's ARI as TypeScript. Types, operation metadata and event schemas are
 * generated from Asterisk's own description (scripts/generate.ts); the contract checker judges
 * requests, responses and events against that same description.
 */
export type * from './generated/models.js';
export type * from './generated/operations.js';
export { ariApiVersion, ariEventTypes, ariModels, ariOperations } from './generated/spec.js';
export { ariDate, ariEventSchemas, ariModelSchemas } from './generated/events.zod.js';
export type * from './spec-types.js';
export {
  checkEvent,
  checkRequest,
  checkResponse,
  findOperation,
  formatIssues,
  type CheckEventOptions,
  type ContractIssue,
  type ContractResult,
  type MatchedOperation,
  type QueryInput,
} from './contract.js';
export { parseAriEvent, type ParsedAriEvent } from './parse-event.js';
