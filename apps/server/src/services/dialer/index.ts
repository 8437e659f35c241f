/**
 * The dialer (docs/dialer.md): per-campaign pacing and origination, live-answer hand-off, safe
 * harbor, the drop-rate ledger, manual dialing. Role wiring in roles/dialer.ts.
 */
export { CampaignDriver, type DriverDeps } from './campaign-driver.js';
export { DialerService, type DialerServiceOptions } from './dialer-service.js';
export { DncCache, type DncChecker } from './dnc-cache.js';
export { createDropBudgetReader, ledgerFromCallLog } from './drop-budget.js';
export {
  createDialerEntryPoints,
  createOriginator,
  DEFAULT_MAX_CALLS_PER_SERVER,
  type BuiltOriginator,
  type DialerEntryDeps,
  type OriginatorDeps,
} from './factory.js';
export { dialerInstanceId, newCallId } from './ids.js';
export { PgDialerLeads, type DialerLeads, type RecyclePolicy } from './leads.js';
export { ManualDialer, type ManualDialDeps, type ManualDialResult } from './manual-dial.js';
export {
  scaledTimers,
  type AgentCommands,
  type DialerAri,
  type HandoffSample,
  type Originator,
  type Timers,
} from './ports.js';
export {
  AmdAuditStore,
  CampaignLeases,
  DialerKeys,
  LedgerStore,
  PacingControlStore,
  type AmdMark,
  type DialerStatus,
} from './redis-state.js';
export { checkDialerSettings, loadDialerCampaign, type DialerCampaign } from './settings.js';
export { BreakerAriClient, TrunkBreaker } from './trunk-health.js';
