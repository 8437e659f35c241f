import type { CallPhase } from '../../domain/call/index.js';
import { originated, SAFE_HARBOR_HANGUP_FALLBACK_MS, undecided } from '../../domain/call/index.js';
import type { LiveCall } from '../../ports/state-store.js';
import { leadRecycle, type CampaignRun, type Tracked } from './campaign-run.js';
import type { Handoff } from './handoff.js';
import { MACHINE_MESSAGE_MAX_MS } from './machines.js';

/**
 * Taking over a campaign's live calls: after acquiring the lease (a dead holder's calls), and
 * for calls this driver did not place (manual dials from the API). All it needs survives in
 * Redis: live_call gives each call's stage, agent_status the agents a previous holder reserved.
 */
/** How far back a new holder looks for calls whose lead was not settled (ms). */
const UNSETTLED_LOOKBACK_MS = 3_600_000;

export class Recovery {
  constructor(
    private readonly run: CampaignRun,
    private readonly handoff: Handoff,
  ) {}

  /** Follows a call it did not place (manual dial from the API, or placed by a previous holder). */
  adopt(live: LiveCall): Tracked {
    const existing = this.run.calls.get(live.callId);
    if (existing) return existing;
    const phase: CallPhase = live.bridgedAtMs !== null ? 'bridged' : 'dialing';
    const t: Tracked = {
      call: originated({
        callId: live.callId,
        campaignId: live.campaignId,
        leadId: live.leadId,
        manual: live.manual,
        agentId: live.agentId,
        answeredAtMs: live.answeredAtMs,
        amdAtMs: live.amdAtMs,
        amdResult: live.amdResult,
        phase,
      }),
      serverId: live.serverId,
      originatedAtMs: live.originatedAtMs,
      cancelDeadline: null,
      cancelHangup: null,
      seenAmdPerf: null,
      // Bridged before: the holder that saw the bridge counted its live answer then.
      liveCounted: live.bridgedAtMs !== null,
      dialObserved: false,
    };
    this.run.calls.set(live.callId, t);
    return t;
  }

  /**
   * A verdict nobody acted on is acted on now, parked calls get their remaining wait, agents
   * reserved for calls that are gone are released. Calls in flight are followed from here on.
   */
  async recover(): Promise<void> {
    const { d, campaign, calls, log } = this.run;
    const live = await d.store.listCalls(campaign.id);
    const fresh: Tracked[] = [];
    for (const lc of live) {
      const known = calls.get(lc.callId);
      // A call this driver is already acting on is left to that action.
      if (known && !undecided(known.call.phase)) continue;
      const t = this.adopt(lc);
      t.call = {
        ...t.call,
        answeredAtMs: t.call.answeredAtMs ?? lc.answeredAtMs,
        amdAtMs: t.call.amdAtMs ?? lc.amdAtMs,
        amdResult: t.call.amdResult ?? lc.amdResult,
      };
      fresh.push(t);
    }
    await this.settleLeads(live);
    const freshIds = new Set(fresh.map((t) => t.call.callId));
    // Agents a previous holder reserved: connected if their call reached the bridge, else freed.
    for (const a of await d.store.listAgents(campaign.id)) {
      if (a.state !== 'RESERVED') continue;
      const t = a.callId ? calls.get(a.callId) : undefined;
      if (t && !freshIds.has(t.call.callId)) continue; // this driver's own hand-off in progress
      if (t?.call.phase === 'bridged' && a.callId) {
        await this.run.agentCommand(
          a.agentId,
          { type: 'connect', callId: a.callId },
          'dialer:recover',
        );
      } else {
        await this.run.agentCommand(a.agentId, { type: 'unreserve' }, 'dialer:recover');
      }
    }
    for (const t of fresh) {
      const lc = live.find((c) => c.callId === t.call.callId);
      if (!lc || !undecided(t.call.phase)) continue;
      await this.resume(t, lc);
    }
    if (fresh.length) log.info({ calls: fresh.length }, 'dialer recovered live calls');
    await this.handoff.serveWaiting();
  }

  /**
   * Leads a previous holder took and did not settle: it died between recording a call and acking
   * the lead's hopper lease, or the call ended while no dialer held the campaign. The lease is
   * acked, so the scheduler does not hand the lead out again when it expires (a second dial of
   * a lead already called), and an ended call's outcome goes to its lead (recycle rules), as this
   * holder's own calls get at their end; a live one gets it when it ends, followed from here on.
   * A recorded call that is neither live nor ended never reached Asterisk: its lease expires and
   * the lead is dialed as if it had not been taken.
   */
  private async settleLeads(live: readonly LiveCall[]): Promise<void> {
    const { d, campaign, calls, log } = this.run;
    if (!d.leads.unsettled) return;
    await d.leads.flush(); // this holder's own ends, queued, are applied first
    const nowMs = d.clock.nowMs();
    const liveIds = new Set(live.map((c) => c.callId));
    let settled = 0;
    for (const u of await d.leads.unsettled(campaign.id, nowMs - UNSETTLED_LOOKBACK_MS)) {
      const followed = liveIds.has(u.callId) || calls.has(u.callId);
      if (u.outcome === null && !followed) continue;
      await d.hopper.ack(campaign.id, u.leadId);
      if (u.outcome !== null && !followed) {
        const at = u.endedAtMs ?? nowMs;
        const next = leadRecycle(u.outcome, at, campaign.recycle);
        d.leads.ended(u.leadId, u.callId, u.outcome, at, next);
      }
      settled += 1;
    }
    if (settled) log.warn({ leads: settled }, 'dialer settled the leads a previous holder left');
  }

  /** Picks a taken-over call up at its stored stage, with the timers that stage runs. */
  private async resume(t: Tracked, lc: LiveCall): Promise<void> {
    if (lc.stage === 'AMD' && lc.amdResult !== null) {
      await this.handoff.onVerdict(t);
    } else if (lc.stage === 'WAITING') {
      t.call = { ...t.call, phase: 'waiting', wasParked: true, parkedIn: lc.bridgeId };
      this.run.waiting.push(t);
      this.handoff.armDeadline(t, this.handoff.holdLeftMs(t));
    } else if (lc.stage === 'SAFE_HARBOR') {
      t.call = { ...t.call, phase: 'dropping' };
      this.handoff.armHangup(t, SAFE_HARBOR_HANGUP_FALLBACK_MS);
    } else if (lc.stage === 'MACHINE_MESSAGE') {
      t.call = { ...t.call, phase: 'machine', amdHungUp: true };
      this.handoff.armHangup(t, MACHINE_MESSAGE_MAX_MS);
    }
  }
}
