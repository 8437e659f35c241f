import { randomBytes } from 'node:crypto';
import type {
  AgentId,
  CallId,
  DialBody,
  LeadId,
  PhoneConfig,
  TransferBody,
} from '@ringside/protocol';
import { isDialable, parseTimeOfDay } from '../../domain/calling-window.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { CallHandOvers } from '../../ports/call-log.js';
import type { Clock } from '../../ports/clock.js';
import type { AgentStatus, LiveCall, StateStore } from '../../ports/state-store.js';
import type {
  AgentTelephony,
  CallControlAri,
  PhoneLegs,
  PhoneUsers,
  PreviewLeads,
  TransferStore,
  WarmTransfer,
} from '../../ports/telephony.js';
import { ignoreAriConflict, ignoreAriNotFound } from '../../ports/telephony-errors.js';
import type { AgentSessionService } from '../agents/agent-session.js';
import {
  addWhenAnswered,
  phoneDialString,
  phoneFailureOf,
  PhoneUnreachableError,
} from './agent-phone.js';
import { dialEndpoint } from './ari-worker-originator.js';
import { agentBridgeId } from './ari-worker-events.js';

export interface AgentTelephonyDeps {
  store: StateStore;
  sessions: Pick<AgentSessionService, 'apply'>;
  /** ARI clients by server id (the call's live_call.serverId says which). */
  aris: ReadonlyMap<string, CallControlAri>;
  /** The server agents' phone legs and bridges live on (one server: see docs/agent-calls.md). */
  legServerId: string;
  /** A fleet: the agent's home server, where its leg is (absent or null: legServerId). */
  homeOf?: (agentId: AgentId) => Promise<string | null>;
  legs: PhoneLegs;
  users: PhoneUsers;
  /** The campaign's wrap-up time, ms (the wrap-up sweeper applies the timeout). */
  wrapupMs(campaignId: string): Promise<number>;
  /** The dialer's manual dial (services/dialer/manual-dial.ts): same origination path and checks. */
  manual: { manualDial(agentId: AgentId, target: string): Promise<{ callId: CallId }> };
  /** For preview: the next eligible leads of the agent's campaign. */
  previewLeads: PreviewLeads;
  /** Records transfers in call_log (the handing agent's part to call_handoffs). */
  handOvers: CallHandOvers;
  transfers: TransferStore;
  /** True on the simulated PBX: the API brings up a simulated phone leg instead of WebRTC. */
  simulated: boolean;
  /**
   * SIP account of the browser softphone on a real Asterisk (services/telephony/sip-accounts.ts: written
   * to Asterisk with a fresh password on every call); unset: the panel gets no account.
   */
  sipAccount?: (user: { id: string; username: string }) => Promise<PhoneConfig['sip']>;
  /** Deletes that account again (services/telephony/sip-accounts.ts `remove`). */
  removeSipAccount?: (user: { id: string; username: string }) => Promise<void>;
  /** ARI_DIAL_TEMPLATE, for transfers to a number. */
  dialTemplate: string;
  /** ARI_APP: consult legs enter it (the ARI worker leaves unknown app arguments alone). */
  app: string;
  /** Ring time of a transfer target before giving up, ms (default 30,000). */
  transferRingMs?: number;
  clock: Clock;
  logger: Logger;
}

/** App argument of transfer legs we originate (not "amd" or "agent": the worker ignores it). */
export const TRANSFER_LEG_ARG = 'xfer';

const holdBridgeOf = (callId: string) => `hold-${callId}`;
const transferBridgeOf = (callId: string) => `xfer-${callId}`;

/**
 * The agent's telephony commands, run from the api role over ARI REST (one client per Asterisk
 * server; a call's commands go to the server in its live_call). Every command checks that the
 * call is the agent's own (ForbiddenError otherwise), whatever the route checked before.
 *
 * - hang-up ends the CUSTOMER's channel (reason normal) and moves the agent to WRAPUP; the
 *   agent's own phone leg stays up in its bridge for the next call;
 * - hold moves the customer into a bridge of its own with music on hold, and back;
 * - mute mutes what the agent's leg sends (direction "in" on the agent's channel);
 * - transfers: blind to an agent (the customer moves into the target agent's bridge) or to a
 *   number (a new leg is called and bridged with the customer); warm: the customer waits on hold
 *   while the agent consults the target in its own bridge, then complete or cancel;
 * - manual dial goes through the dialer's ManualDialer (CallOriginator, DNC, calling window).
 */
export class AgentTelephonyService implements AgentTelephony {
  constructor(private readonly d: AgentTelephonyDeps) {}

  async phoneConfig(agentId: AgentId, phoneType: 'webrtc' | 'sip'): Promise<PhoneConfig> {
    if (phoneType === 'sip') return { mode: 'external', sip: null };
    if (this.d.simulated) return { mode: 'sim', sip: null };
    const user = await this.d.users.findById(agentId);
    // The stored phone type decides too: an external phone's user never gets a SIP secret.
    if (user?.phoneType === 'sip') return { mode: 'external', sip: null };
    if (!user?.active || !this.d.sipAccount) return { mode: 'webrtc', sip: null };
    return { mode: 'webrtc', sip: await this.d.sipAccount(user) };
  }

  async forgetPhone(user: { id: string; username: string }): Promise<void> {
    await this.d.removeSipAccount?.(user);
  }

  async connectLeg(agentId: AgentId): Promise<'up' | 'down'> {
    const status = await this.loggedIn(agentId);
    if (status.legChannelId) return 'up';
    const user = await this.d.users.findById(agentId);
    if (!user) throw new NotFoundError('user not found');
    if (!this.d.simulated && user.phoneType === 'webrtc') {
      // The browser's softphone dials `login` itself; the ARI worker nails it up.
      return 'down';
    }
    // Simulated PBX: a phone that answers by itself. External phone: Asterisk rings
    // users.sip_endpoint (else PJSIP/<username>). A phone that cannot be reached gives this agent
    // a 409 saying why, and nobody else anything.
    const endpoint = phoneDialString(user);
    if (!endpoint) throw new PhoneUnreachableError('bad_endpoint');
    try {
      await this.d.legs.attach(agentId, endpoint);
    } catch (err) {
      const failure = phoneFailureOf(err);
      // The reason, not the endpoint: it may hold a number.
      this.d.logger.warn({ agentId, reason: failure }, "the agent's phone could not be connected");
      throw new PhoneUnreachableError(failure, { cause: err });
    }
    return 'up';
  }

  async disconnectLeg(agentId: AgentId): Promise<'up' | 'down'> {
    await this.d.legs.detach(agentId);
    return 'down';
  }

  /**
   * Ends the customer's channel of the agent's call in progress and moves the agent to WRAPUP
   * (from DEAD too, where the customer is already gone). In WRAPUP it does nothing: the agent
   * already left the call, which may since have been transferred to someone else.
   */
  async hangup(agentId: AgentId, callId: CallId): Promise<void> {
    const { agent, call } = await this.own(agentId, callId);
    const onIt = agent.callId === callId && (agent.state === 'INCALL' || agent.state === 'DEAD');
    if (!onIt) return;
    const transfer = await this.d.transfers.get(agentId);
    if (transfer?.callId === callId) {
      await this.transferCancel(agentId, callId).catch((err: unknown) =>
        this.d.logger.warn({ err, callId }, 'transfer not cancelled before the hang-up'),
      );
    }
    // WRAPUP first: the call.ended our hang-up causes then finds the agent already out of the
    // call, so the dialer and the hang-up watcher do not flash it through DEAD.
    const wrapupMs = agent.campaignId ? await this.d.wrapupMs(agent.campaignId) : 0;
    await this.d.sessions.apply(agentId, { type: 'agent_hangup', wrapupMs }, 'agent');
    if (call) {
      const ari = this.ari(call.serverId);
      // The customer's channel only: the agent's leg is a different channel in the same bridge.
      await ari.hangup(call.channelId, 'normal').catch(ignoreAriNotFound);
      await ari.destroyBridge(holdBridgeOf(callId)).catch(ignoreAriNotFound);
    }
  }

  async hold(agentId: AgentId, callId: CallId, on: boolean): Promise<void> {
    const { agent, call } = await this.ownLive(agentId, callId);
    const ari = this.ari(call.serverId);
    if (on) await this.holdCustomer(ari, call);
    else await this.unholdCustomer(ari, call, this.agentBridge(agent));
  }

  async mute(agentId: AgentId, callId: CallId, on: boolean): Promise<void> {
    const { agent } = await this.ownLive(agentId, callId);
    if (!agent.legChannelId) throw new ConflictError("the agent's phone is not connected");
    const ari = this.ari((await this.d.homeOf?.(agentId)) ?? this.d.legServerId);
    // "in": audio from the agent's phone into the bridge; the agent still hears the customer.
    if (on) await ari.mute(agent.legChannelId, 'in');
    else await ari.unmute(agent.legChannelId, 'in');
  }

  async dtmf(agentId: AgentId, callId: CallId, digits: string): Promise<void> {
    const { call } = await this.ownLive(agentId, callId);
    await this.ari(call.serverId).sendDtmf(call.channelId, digits);
  }

  async transfer(agentId: AgentId, callId: CallId, body: TransferBody): Promise<void> {
    const { agent, call } = await this.ownLive(agentId, callId);
    if (agent.state !== 'INCALL') {
      throw new ConflictError(`a transfer needs a call in progress (the agent is ${agent.state})`);
    }
    if (await this.d.transfers.get(agentId)) {
      throw new ConflictError('a warm transfer is already in progress; complete or cancel it');
    }
    // A manual call puts the agent INCALL while it rings; the customer can move once answered.
    if (call.answeredAtMs === null) {
      throw new ConflictError('the customer has not answered yet: transfer once they have');
    }
    const ari = this.ari(call.serverId);
    const target = 'agentId' in body.to ? { agentId: body.to.agentId as AgentId } : body.to;
    if ('agentId' in target && target.agentId === agentId) {
      throw new ValidationError('to.agentId: cannot transfer a call to yourself', [
        { path: 'to.agentId', message: 'is the calling agent' },
      ]);
    }

    if (body.kind === 'blind') {
      if ('agentId' in target) {
        const other = await this.reserveTarget(target.agentId, callId);
        try {
          await ari.addChannel(this.agentBridge(other), call.channelId);
        } catch (err) {
          await this.releaseTarget(other.agentId, callId);
          throw err;
        }
        await this.handOver(call, other);
      } else {
        const bridgeId = transferBridgeOf(callId);
        await ari.createBridge(bridgeId, 'mixing', bridgeId).catch(ignoreAriConflict);
        await ari.addChannel(bridgeId, call.channelId);
        const legId = await this.callNumber(ari, target.number);
        // The agent is free at once; the target joins the customer when it answers.
        void this.addWhenAnswered(ari, bridgeId, legId).catch((err: unknown) =>
          this.d.logger.warn({ err, callId }, 'blind transfer target did not answer'),
        );
      }
      await this.finishForAgent(agent);
      return;
    }

    // Warm: the customer waits on hold while the agent talks to the target in its own bridge.
    await this.holdCustomer(ari, call);
    const base: WarmTransfer = {
      callId,
      serverId: call.serverId,
      consultChannelId: null,
      targetAgentId: null,
      holdBridgeId: holdBridgeOf(callId),
      startedAtMs: this.d.clock.nowMs(),
    };
    try {
      if ('agentId' in target) {
        const other = await this.reserveTarget(target.agentId, callId);
        if (!other.legChannelId)
          throw new ConflictError("the target agent's phone is not connected");
        await this.d.transfers.start(agentId, { ...base, targetAgentId: other.agentId });
        await ari.addChannel(this.agentBridge(agent), other.legChannelId);
      } else {
        const legId = await this.callNumber(ari, target.number);
        await this.d.transfers.start(agentId, { ...base, consultChannelId: legId });
        await this.addWhenAnswered(ari, this.agentBridge(agent), legId);
      }
    } catch (err) {
      // Back to the customer: a consult that cannot start must not leave them on hold.
      await this.transferCancel(agentId, callId).catch(() => undefined);
      if ('agentId' in target)
        await this.releaseTarget(target.agentId, callId).catch(() => undefined);
      await this.unholdCustomer(ari, call, this.agentBridge(agent)).catch(() => undefined);
      throw err;
    }
  }

  async transferComplete(agentId: AgentId, callId: CallId): Promise<void> {
    const { agent, call } = await this.ownLive(agentId, callId);
    const t = await this.d.transfers.take(agentId);
    if (!t || t.callId !== callId) throw new ConflictError('no warm transfer is in progress');
    const ari = this.ari(call.serverId);
    if (t.targetAgentId) {
      const other = await this.d.store.getAgent(t.targetAgentId);
      if (!other?.legChannelId) throw new ConflictError('the target agent left');
      // Target's leg back home, the customer with it: the two talk in the target's bridge.
      await ari.addChannel(this.agentBridge(other), [other.legChannelId, call.channelId]);
      await this.handOver(call, other);
    } else if (t.consultChannelId) {
      const bridgeId = transferBridgeOf(callId);
      await ari.createBridge(bridgeId, 'mixing', bridgeId).catch(ignoreAriConflict);
      await ari.addChannel(bridgeId, [call.channelId, t.consultChannelId]);
    }
    await ari.destroyBridge(t.holdBridgeId).catch(ignoreAriNotFound);
    await this.finishForAgent(agent);
  }

  async transferCancel(agentId: AgentId, callId: CallId): Promise<void> {
    const { agent } = await this.own(agentId, callId);
    const t = await this.d.transfers.take(agentId);
    if (!t || t.callId !== callId) throw new ConflictError('no warm transfer is in progress');
    const ari = this.ari(t.serverId);
    if (t.targetAgentId) {
      const other = await this.d.store.getAgent(t.targetAgentId);
      if (other?.legChannelId) {
        await ari.addChannel(this.agentBridge(other), other.legChannelId).catch(ignoreAriNotFound);
      }
      if (other?.state === 'RESERVED' && other.callId === callId) {
        await this.d.sessions.apply(
          other.agentId,
          { type: 'unreserve' },
          'agent:transfer-canceled',
        );
      }
    }
    if (t.consultChannelId) await ari.hangup(t.consultChannelId, 'normal').catch(ignoreAriNotFound);
    const call = await this.d.store.getCall(callId);
    if (call) await this.unholdCustomer(ari, call, this.agentBridge(agent));
  }

  async dial(agentId: AgentId, target: DialBody): Promise<{ callId: CallId }> {
    const r = await this.d.manual.manualDial(
      agentId,
      'leadId' in target ? target.leadId : target.phone,
    );
    return { callId: r.callId };
  }

  /**
   * The next lead of the agent's campaign that may be called now: not final, due, not queued in
   * a hopper, not on a DNC list, not on a call right now (a call_log row neither ended nor
   * disposed, younger than an hour), not another agent's callback, every candidate zone inside
   * the calling window. It is not reserved: the dial checks everything again. On a manual
   * campaign a lead in the hopper is offered too (the dialer never takes from that hopper).
   */
  async preview(agentId: AgentId): Promise<LeadId | null> {
    const agent = await this.loggedIn(agentId);
    if (!agent.campaignId) return null;
    const campaign = await this.d.previewLeads.campaign(agent.campaignId);
    if (!campaign) return null;
    const window = {
      startMinute: parseTimeOfDay(campaign.windowStart.slice(0, 5)),
      endMinute: parseTimeOfDay(campaign.windowEnd.slice(0, 5)),
    };
    const now = this.d.clock.nowMs();
    // A manual campaign's hopper is filled but never dialed from: its leads are free.
    const candidates = await this.d.previewLeads.candidates({
      campaignId: agent.campaignId,
      agentId,
      nowMs: now,
      hopperToo: campaign.manual,
    });
    const lead = candidates.find((l) => isDialable(l.tzCandidates, window, now));
    return lead ? (String(lead.id) as LeadId) : null;
  }

  // ------------------------------------------------------------------ helpers

  private ari(serverId: string): CallControlAri {
    const a = this.d.aris.get(serverId);
    if (!a) throw new UnavailableError(`Asterisk server ${serverId} is not configured here`);
    return a;
  }

  private agentBridge(agent: AgentStatus): string {
    return agent.bridgeId ?? agentBridgeId(agent.agentId);
  }

  private async loggedIn(agentId: AgentId): Promise<AgentStatus> {
    const s = await this.d.store.getAgent(agentId);
    if (!s || s.state === 'LOGGED_OUT') throw new ConflictError('log in to a campaign first');
    return s;
  }

  /** The agent's own call: its current call, or a live call assigned to it. */
  private async own(
    agentId: AgentId,
    callId: CallId,
  ): Promise<{ agent: AgentStatus; call: LiveCall | null }> {
    const agent = await this.loggedIn(agentId);
    const call = await this.d.store.getCall(callId);
    if (agent.callId === callId || call?.agentId === agentId) return { agent, call };
    if (!call) throw new NotFoundError('call not found');
    throw new ForbiddenError('not your call');
  }

  private async ownLive(
    agentId: AgentId,
    callId: CallId,
  ): Promise<{ agent: AgentStatus; call: LiveCall }> {
    const { agent, call } = await this.own(agentId, callId);
    if (!call) throw new ConflictError('the call has ended');
    return { agent, call };
  }

  private async holdCustomer(ari: CallControlAri, call: LiveCall): Promise<void> {
    const bridgeId = holdBridgeOf(call.callId);
    // A mixing bridge (a holding bridge would read as "waiting for an agent" to the ARI worker).
    await ari.createBridge(bridgeId, 'mixing', bridgeId).catch(ignoreAriConflict);
    await ari.addChannel(bridgeId, call.channelId);
    await ari.startBridgeMoh(bridgeId);
  }

  private async unholdCustomer(ari: CallControlAri, call: LiveCall, home: string): Promise<void> {
    await ari.addChannel(home, call.channelId);
    await ari.destroyBridge(holdBridgeOf(call.callId)).catch(ignoreAriNotFound);
  }

  /** The target agent must be READY with its phone up; it is RESERVED for the call. */
  private async reserveTarget(targetId: AgentId, callId: CallId): Promise<AgentStatus> {
    const other = await this.d.store.getAgent(targetId);
    if (other?.state !== 'READY') {
      throw new ConflictError(`agent ${targetId} is not ready to take a transfer`);
    }
    if (!other.legChannelId) throw new ConflictError(`agent ${targetId} has no phone connected`);
    const r = await this.d.sessions.apply(targetId, { type: 'reserve', callId }, 'agent:transfer');
    return r.status;
  }

  /** A transfer that could not start gives its target back (READY), or it would get no call. */
  private async releaseTarget(targetId: AgentId, callId: CallId): Promise<void> {
    const s = await this.d.store.getAgent(targetId);
    if (s?.state === 'RESERVED' && s.callId === callId) {
      await this.d.sessions.apply(targetId, { type: 'unreserve' }, 'agent:transfer-failed');
    }
  }

  /**
   * The customer now belongs to `other`: call_log names it (the handing agent's part, whose
   * disposition it still owes, goes to call_handoffs), live_call names it, then it goes INCALL.
   * In this order (as for the dialer's calls): the target's panel reads the call as soon as it is
   * INCALL, and an agent may read only its own calls; and call_log is right before the handing
   * agent reaches wrap-up (finishForAgent), so each agent's disposition finds its own part.
   */
  private async handOver(call: LiveCall, other: AgentStatus): Promise<void> {
    const fresh = (await this.d.store.getCall(call.callId)) ?? call;
    const atMs = this.d.clock.nowMs();
    const bridgeId = this.agentBridge(other);
    if (fresh.agentId) {
      await this.d.handOvers
        .handOver({
          callId: call.callId,
          fromAgentId: fresh.agentId,
          toAgentId: other.agentId,
          fromConnectedAtMs: fresh.bridgedAtMs,
          atMs,
        })
        .catch((err: unknown) =>
          // The customer already moved: the transfer goes on; the first agent's disposition
          // then stays the call's (the target's waits for the wrap-up timeout, as before).
          this.d.logger.error({ err, callId: call.callId }, 'transfer not recorded in call_log'),
        );
    }
    await this.d.store.putCall(
      { ...fresh, agentId: other.agentId, bridgeId, stage: 'BRIDGED', bridgedAtMs: atMs },
      { type: 'call.bridged', callId: call.callId, agentId: other.agentId, bridgeId, atMs },
    );
    await this.d.sessions.apply(
      other.agentId,
      { type: 'connect', callId: call.callId },
      'agent:transfer',
    );
  }

  /** The transferring agent is done with the call: wrap-up (its disposition is still owed). */
  private async finishForAgent(agent: AgentStatus): Promise<void> {
    const wrapupMs = agent.campaignId ? await this.d.wrapupMs(agent.campaignId) : 0;
    await this.d.sessions.apply(
      agent.agentId,
      { type: 'agent_hangup', wrapupMs },
      'agent:transfer',
    );
  }

  private async callNumber(ari: CallControlAri, number: string): Promise<string> {
    const legId = `xfer-${randomBytes(6).toString('hex')}`;
    const endpoint = dialEndpoint(this.d.dialTemplate, number);
    await ari.originate({
      endpoint,
      channelId: legId,
      ...(endpoint.startsWith('Local/') ? { otherChannelId: `${legId}-2` } : {}),
      app: this.d.app,
      appArgs: TRANSFER_LEG_ARG,
      timeoutS: Math.ceil((this.d.transferRingMs ?? 30_000) / 1000),
    });
    return legId;
  }

  /** The leg enters the app only once answered; until then ARI refuses the add (409/422). */
  private addWhenAnswered(ari: CallControlAri, bridgeId: string, channelId: string): Promise<void> {
    return addWhenAnswered(ari, bridgeId, channelId, {
      timeoutMs: this.d.transferRingMs ?? 30_000,
      retryMs: 100,
      hangup: () => ari.hangup(channelId, 'normal'),
    });
  }
}
