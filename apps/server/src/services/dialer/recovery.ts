import type { CallPhase } from '../../domain/call/index.js';
import { originated, SAFE_HARBOR_HANGUP_FALLBACK_MS, undecided } from '../../domain/call/index.js';
import type { LiveCall } from '../../ports/state-store.js';
import type { CampaignRun, Tracked } from './campaign-run.js';
import type { Handoff } from './handoff.js';
import { MACHINE_MESSAGE_MAX_MS } from './machines.js';

/**
 * Taking over a campaign's live calls: after acquiring the lease (a dead holder's calls), and
 * for calls this driver did not place (manual dials from the API). All it needs survives in
 * Redis: live_call gives each call's stage, agent_status the agents a previous holder reserved.
 */
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
