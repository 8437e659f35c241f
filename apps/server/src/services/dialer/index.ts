/**
 * The dialer (docs/dialer.md): per-campaign pacing and origination, live-answer hand-off, safe
 * harbor, the drop-rate ledger, manual dialing. Ports in ports/dialer.ts; wiring in roles/dialer.ts.
 */
export { CampaignDriver, type DriverDeps } from './campaign-driver.js';
export { DialerService, type DialerServiceOptions } from './dialer-service.js';
export { DncCache, type DncChecker } from './dnc-cache.js';
export { createDropBudgetReader } from './drop-budget.js';
export { dialerInstanceId, newCallId } from './ids.js';
export { ManualDialer, type ManualDialDeps, type ManualDialResult } from './manual-dial.js';
export { checkDialerSettings, loadDialerCampaign, type DialerCampaign } from './settings.js';
export { TrunkBreaker } from './trunk-health.js';
