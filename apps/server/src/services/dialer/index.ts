/**
 * The dialer (docs/dialer.md): per-campaign pacing and origination, live-answer hand-off, safe
 * harbor, the drop-rate ledger, manual dialing. Role wiring in roles/dialer.ts.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { CallId } from '@ringside/protocol';

export { CampaignDriver, type DriverDeps } from './campaign-driver.js';
export { DialerService, type DialerServiceOptions } from './dialer-service.js';
export { DncCache, type DncChecker } from './dnc-cache.js';
export { createDropBudgetReader, ledgerFromCallLog } from './drop-budget.js';
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
  CampaignLeases,
  DialerKeys,
  DialerStatusStore,
  LedgerStore,
  type DialerStatus,
} from './redis-state.js';
export { checkDialerSettings, loadDialerCampaign, type DialerCampaign } from './settings.js';
export { BreakerAriClient, TrunkBreaker } from './trunk-health.js';

/**
 * A new call id: time-ordered (base 36 ms) plus 40 random bits, 20 characters, safe as an ARI
 * channel id (`<callId>` and `<callId>-2`).
 */
export function newCallId(nowMs = Date.now()): CallId {
  return `c${nowMs.toString(36)}${randomBytes(5).toString('hex')}` as CallId;
}

/** This process as a lease owner: host, pid and a random part (a restart is a new owner). */
export function dialerInstanceId(): string {
  return `${hostname().slice(0, 32)}:${process.pid}:${randomBytes(3).toString('hex')}`;
}
