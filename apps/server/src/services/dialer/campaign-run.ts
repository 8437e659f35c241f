import type { AgentId, CallId } from '@ringside/protocol';
import { maxAttemptsFor, recycleDelayMs } from '../../domain/calling-window.js';
import type { Call } from '../../domain/call/index.js';
import type { LedgerDay } from '../../domain/pacing/index.js';
import type { ValidationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { DriverDeps } from './driver-deps.js';
import type { AgentCommands, LeadRecycle, RecyclePolicy } from '../../ports/dialer.js';
import type { DialerCampaign } from './settings.js';

/** A call of this campaign that the driver follows: its state (domain/call) and its timers. */
export interface Tracked {
  call: Call;
  serverId: string;
  originatedAtMs: number;
  cancelDeadline: (() => void) | null;
  cancelHangup: (() => void) | null;
  /** performance.now() when the dialer saw the AMD verdict. */
  seenAmdPerf: number | null;
  /**
   * The live answer is in the drop ledger already: counted when the customer reached an agent
   * (outcomes.ts), not again when the call ends.
   */
  liveCounted: boolean;
  /** The dial's outcome is in the pacing statistics already (a person's verdict, learned at once). */
  dialObserved: boolean;
  /** The home server of the agent reserved for the call (fleet hand-off; absent: not known). */
  agentServerId?: string;
  /** The call crossed to an agent on this other server over the trunk (released at its end). */
  crossedTo?: string;
}

/**
 * What the parts of one campaign's driver share (pacing.ts, handoff.ts, outcomes.ts,
 * recovery.ts): the campaign as last read, the calls it follows, the parked queue and the ledger.
 * Only this driver's parts touch it, one event at a time between awaits.
 */
export class CampaignRun {
  campaign: DialerCampaign;
  invalid: ValidationError | null;
  readonly calls = new Map<CallId, Tracked>();
  /** Parked calls, oldest first. */
  readonly waiting: Tracked[] = [];
  ledgerDays: LedgerDay[] = [];
  stopped = false;
  draining = false;
  readonly log: Logger;

  constructor(
    readonly d: DriverDeps,
    campaign: DialerCampaign,
    invalid: ValidationError | null,
  ) {
    this.campaign = campaign;
    this.invalid = invalid;
    this.log = d.logger.child({ campaignId: campaign.id });
  }

  /** Takes a call out of the parked queue (dropped, ended). */
  unqueue(t: Tracked): void {
    const i = this.waiting.indexOf(t);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  async agentCommand(
    agentId: AgentId,
    command: Parameters<AgentCommands['apply']>[1],
    reason: string,
  ): Promise<void> {
    try {
      await this.d.agents.apply(agentId, command, reason);
    } catch (err) {
      // The agent moved on (logged out, was force-paused): nothing left to do for it.
      this.log.warn({ err, agentId, command: command.type }, 'agent command refused');
    }
  }
}

/** When a lead whose attempt ended with `outcome` at `atMs` may be dialed again (recycle rules). */
export function leadRecycle(outcome: string, atMs: number, p: RecyclePolicy): LeadRecycle {
  return {
    eligibleAtMs: atMs + recycleDelayMs(outcome, p.rules),
    maxAttempts: maxAttemptsFor(outcome, p.rules, p.maxAttempts),
  };
}
