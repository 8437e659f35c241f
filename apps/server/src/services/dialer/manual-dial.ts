import { E164, type AgentId, type CallId, type LeadId } from '@ringside/protocol';
import type { CampaignsRepo } from '../../ports/campaigns.js';
import { checkDial, ringTimeoutS } from '../../domain/compliance.js';
import { deriveTimeZone } from '../../domain/timezone/index.js';
import { ComplianceError, ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { StateStore } from '../../ports/state-store.js';
import type { DncChecker } from './dnc-cache.js';
import type { AgentCommands, DncTable, ManualDialLeads, Originator } from '../../ports/dialer.js';
import { loadDialerCampaign } from './settings.js';
import { ATTEMPT_WINDOW_MS, statesOfLead } from '../../domain/state-rules.js';
import type { DialCompliance } from '../compliance/dial-compliance.js';

export interface ManualDialDeps {
  /** The dnc table itself (adapters/postgres/dialer-dnc.ts), asked beside the Redis sets. */
  dncTable: DncTable;
  store: StateStore;
  agents: AgentCommands;
  originator: Originator;
  campaigns: CampaignsRepo;
  leads: Pick<ManualDialLeads, 'leadInCampaign' | 'leadByPhone' | 'createManualLead' | 'dialed'>;
  /** The dialer's Redis DNC sets; PostgreSQL is asked too (a manual dial is not the hot path). */
  dnc?: DncChecker;
  clock: Clock;
  logger: Logger;
  newCallId(): CallId;
  /** State calling rules and the number's dials in the last 24 h (the same as the dialer's). */
  compliance?: DialCompliance;
}

export interface ManualDialResult {
  callId: CallId;
  leadId: LeadId;
}

/**
 * Manual and preview dialing: the agent starts the call. It takes the same origination path as
 * the dialer's own calls (CallOriginator: live_call, call_log, the call.* events) and the same
 * compliance checks (DNC, calling window in the lead's local time, ring time >= 15 s); when the
 * customer answers, the lease holder of the campaign puts the call in this agent's bridge.
 */
export class ManualDialer {
  constructor(private readonly d: ManualDialDeps) {}

  /**
   * Dials a lead (by id) or a number (E.164) for a PAUSED agent with its phone leg up.
   * Throws ComplianceError (rule DNC or CALLING_WINDOW) when the law forbids the call,
   * ConflictError when the agent cannot dial now, NotFoundError for an unknown lead,
   * ValidationError for a malformed number, and the originator's error when ARI refuses.
   */
  async manualDial(agentId: AgentId, target: string): Promise<ManualDialResult> {
    const agent = await this.d.store.getAgent(agentId);
    if (!agent || agent.state === 'LOGGED_OUT' || !agent.campaignId) {
      throw new ConflictError('the agent is not logged in to a campaign');
    }
    if (agent.state !== 'PAUSED') {
      throw new ConflictError(`the agent must be paused to dial by hand (it is ${agent.state})`);
    }
    if (!agent.bridgeId) throw new ConflictError("the agent's phone is not connected");
    const loaded = await loadDialerCampaign(this.d.campaigns, agent.campaignId);
    if (!loaded) throw new NotFoundError(`campaign ${agent.campaignId} does not exist`);
    if (loaded.invalid) throw loaded.invalid;
    const campaign = loaded.campaign;

    let lead;
    if (target.startsWith('+')) {
      const phone = E164.safeParse(target);
      if (!phone.success) {
        throw new ValidationError('phone must be an E.164 number such as +14155550123', [
          { path: 'phone', message: 'must be E.164' },
        ]);
      }
      lead =
        (await this.d.leads.leadByPhone(campaign.id, phone.data)) ??
        (await this.d.leads.createManualLead(
          campaign.id,
          phone.data,
          deriveTimeZone({ phone: phone.data }),
        ));
      if (!lead) throw new NotFoundError('the campaign has no active list to hold this number');
    } else {
      lead = await this.d.leads.leadInCampaign(campaign.id, target);
      if (!lead) throw new NotFoundError(`lead ${target} is not in the agent's campaign`);
    }

    const now = this.d.clock.nowMs();
    const onDnc =
      (await this.onDncInDb(lead.phone, campaign.id)) ||
      ((await this.d.dnc?.isBlocked(lead.phone, campaign.id, campaign.nationalDncScrub ?? true)) ??
        false);
    const verdict = checkDial({
      onDnc,
      timeZones: lead.tzCandidates,
      window: campaign.window,
      atMs: now,
      readyAgents: null,
      state: this.d.compliance
        ? {
            rules: this.d.compliance.rules(),
            states: statesOfLead(lead),
            attemptsAtMs: await this.d.compliance.attempts.recent(
              lead.phone,
              now - ATTEMPT_WINDOW_MS,
            ),
          }
        : null,
    });
    if (!verdict.ok) {
      this.d.logger.info({ agentId, leadId: lead.id, rule: verdict.rule }, 'manual dial refused');
      throw new ComplianceError(
        verdict.rule === 'DNC'
          ? 'DNC'
          : verdict.rule === 'STATE_ATTEMPTS'
            ? 'MAX_ATTEMPTS'
            : 'CALLING_WINDOW',
        `cannot dial: ${verdict.message}`,
      );
    }

    const callId = this.d.newCallId();
    // The agent is on the call from the moment it dials (it hears the ringing in its bridge).
    await this.d.agents.apply(agentId, { type: 'dial_manual', callId }, 'agent:manual-dial');
    const res = await this.d.originator.originate({
      callId,
      campaignId: campaign.id,
      leadId: lead.id,
      listId: lead.listId,
      phone: lead.phone,
      attempt: lead.attempts + 1,
      agentId,
      manual: true,
      ringTimeoutS: ringTimeoutS(campaign.ringTimeoutS),
      callerId: campaign.callerId,
    });
    if (!res.ok) {
      await this.d.agents
        .apply(agentId, { type: 'agent_hangup', wrapupMs: 0 }, 'system:manual-dial-failed')
        .catch((err: unknown) =>
          this.d.logger.warn({ err, agentId }, 'agent not released after a failed dial'),
        );
      throw res.error;
    }
    this.d.leads.dialed(lead.id, callId, now);
    await this.d.compliance?.attempts.record(lead.phone, now, callId).catch((err: unknown) => {
      this.d.logger.warn({ err, leadId: lead.id }, 'dial attempt not counted');
    });
    return { callId, leadId: lead.id };
  }

  private onDncInDb(phone: string, campaignId: string): Promise<boolean> {
    return this.d.dncTable.listed(phone, campaignId);
  }
}
