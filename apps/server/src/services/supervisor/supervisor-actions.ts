import {
  AgentMonitorStarted,
  type AgentId,
  type AgentMonitorEnded,
  type CallId,
  type MonitorMode,
} from '@ringside/protocol';
import { ConflictError, NotFoundError, UnavailableError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AgentTransitions } from '../../ports/agents.js';
import type { AuditLog } from '../../ports/audit.js';
import { systemClock, type Clock } from '../../ports/clock.js';
import type { EventBus } from '../../ports/event-bus.js';
import type { AgentStatus, LiveCall, StateStore } from '../../ports/state-store.js';
import { isAriKind } from '../../ports/telephony-errors.js';
import type { ActiveMonitor, MonitorAri, MonitorRegistry } from '../../ports/supervisor.js';
import { phoneDialString } from '../telephony/agent-phone.js';

/**
 * Supervisor actions on agents and calls: force pause, force logout, listen / whisper / barge.
 * Every action is written to the audit log after it succeeded, with the acting user as `userId`
 * and the agent or call as target. State changes go through the agent session service (the
 * state machine and the store's compare-and-set), so a supervisor never writes a state the
 * machine would refuse.
 */

/** ARI argument of the channels monitoring creates, so the ARI worker leaves them alone. */
export const MONITOR_ARG = 'supmon';

/** Channel id prefix of the supervisor's phone leg (`sup-<id>`), which the ARI worker watches. */
export const MONITOR_LEG_PREFIX = 'sup-';

/** Whether an ARI channel is a supervisor's monitoring leg. */
export function isMonitorLeg(channelId: string): boolean {
  return channelId.startsWith(MONITOR_LEG_PREFIX);
}

export interface SupervisorActionsDeps {
  sessions: AgentTransitions;
  store: Pick<StateStore, 'getAgent' | 'getCall'>;
  audit: Pick<AuditLog, 'record'>;
  /** Carries out a hang-up of the customer's channel (force logout with hangupCall). */
  hangupCall?: (call: LiveCall) => Promise<void>;
  /** Ends the agent's phone leg after a logout (AgentLegService.detach in roles/api.ts). */
  endLeg?: (agentId: AgentId, legChannelId: string) => Promise<void>;
  /** Monitoring: the ARI client of the server agents' bridges live on, and the app name. */
  monitor?: {
    ari: MonitorAri;
    app: string;
    /** The dial string of the supervisor's phone, e.g. PJSIP/<username> or the simulated phone. */
    endpointOf(supervisorId: string): Promise<string>;
    /** Unique ids for snoop channels and bridges. */
    newId(): string;
  };
  /**
   * Monitoring indicator: where active monitorings are kept and the bus their
   * agent.monitor.started / ended events go on. Without them no event is published.
   */
  monitors?: MonitorRegistry;
  bus?: Pick<EventBus, 'publish'>;
  /** The supervisor's name as the agent's panel shows it. */
  supervisorName?: (supervisorId: string) => Promise<string>;
  clock?: Clock;
  logger?: Logger;
}

export interface ForceLogoutResult {
  status: AgentStatus;
  /** The live call the agent had, when it was left up (or hung up with hangupCall). */
  callId: CallId | null;
  hungUp: boolean;
}

export class SupervisorActions {
  constructor(private readonly d: SupervisorActionsDeps) {}

  async forcePause(supervisorId: string, agentId: AgentId, code: string): Promise<AgentStatus> {
    const r = await this.d.sessions.apply(
      agentId,
      { type: 'pause', code },
      `supervisor:${supervisorId}`,
    );
    await this.d.audit.record({
      userId: supervisorId,
      action: 'supervisor.force_pause',
      target: `agent:${agentId}`,
      detail: { code },
    });
    return r.status;
  }

  /**
   * LOGGED_OUT from any state. The state machine asks to hang up a live call and end the agent's
   * leg; the call is only hung up when the supervisor said so, and the leg is kept while a live
   * call is left up (ending it would cut the customer off from the bridge's only other party).
   */
  async forceLogout(
    supervisorId: string,
    agentId: AgentId,
    hangupCall: boolean,
  ): Promise<ForceLogoutResult> {
    const before = await this.d.store.getAgent(agentId);
    if (!before || before.state === 'LOGGED_OUT') {
      throw new ConflictError(`agent ${agentId} is not logged in`);
    }
    const r = await this.d.sessions.apply(
      agentId,
      { type: 'force_logout' },
      `supervisor:${supervisorId}`,
    );
    let hungUp = false;
    for (const e of r.effects) {
      if (e.type === 'hangup_call' && hangupCall) {
        const call = await this.d.store.getCall(e.callId);
        if (call && this.d.hangupCall) {
          await this.d.hangupCall(call);
          hungUp = true;
        }
      }
    }
    // A call left up keeps the agent's leg: it is the customer's only other party in the bridge.
    const callLeftUp = r.effects.some((e) => e.type === 'hangup_call') && !hungUp;
    let legEnded = false;
    for (const e of r.effects) {
      if (e.type === 'end_agent_leg' && !callLeftUp && this.d.endLeg) {
        await this.d.endLeg(agentId, e.legChannelId);
        legEnded = true;
      }
    }
    const skipped = r.effects.filter(
      (e) => !(e.type === 'hangup_call' && hungUp) && !(e.type === 'end_agent_leg' && legEnded),
    );
    if (skipped.length > 0) {
      // The api role carries out no other effects of a forced logout.
      this.d.logger?.info(
        { agentId, effects: skipped.map((e) => e.type) },
        'force logout effects left to their consumers',
      );
    }
    await this.d.audit.record({
      userId: supervisorId,
      action: 'supervisor.force_logout',
      target: `agent:${agentId}`,
      detail: { from: before.state, hangupCall, hungUp, callId: before.callId },
    });
    return { status: r.status, callId: before.callId, hungUp };
  }

  /**
   * Joins the supervisor's phone to the agent's live call: listen and whisper snoop the agent's
   * phone leg (spy=both hears agent and customer; whisper=out speaks to the agent only) into a
   * bridge with the supervisor's phone; barge calls the supervisor's phone into the agent's bridge.
   */
  async monitor(
    supervisorId: string,
    agentId: AgentId,
    mode: MonitorMode,
  ): Promise<{ callId: CallId; target: string }> {
    const m = this.d.monitor;
    if (!m) throw new UnavailableError('monitoring is not configured on this server');
    const agent = await this.d.store.getAgent(agentId);
    if (!agent || !agent.callId || (agent.state !== 'INCALL' && agent.state !== 'DEAD')) {
      throw new ConflictError(`agent ${agentId} is not on a call`);
    }
    const call = await this.d.store.getCall(agent.callId);
    if (!call) throw new NotFoundError(`call of agent ${agentId} not found`);
    if (!agent.legChannelId || !agent.bridgeId) {
      throw new ConflictError(`agent ${agentId} has no phone leg to monitor`);
    }
    const endpoint = await m.endpointOf(supervisorId);
    const id = m.newId();
    const supLeg = `${MONITOR_LEG_PREFIX}${id}`;
    let target: string;
    /** The bridge the supervisor's phone joins: the agent's own (barge) or the snoop's. */
    let joins: string;
    if (mode === 'barge') {
      target = agent.bridgeId;
      joins = target;
    } else {
      const snoopId = `snoop-${id}`;
      joins = `supbr-${id}`;
      target = agent.legChannelId;
      await m.ari.createBridge(joins, 'mixing', joins);
      await m.ari.snoop({
        channelId: agent.legChannelId,
        snoopId,
        app: m.app,
        appArgs: `${MONITOR_ARG},${joins}`,
        spy: 'both',
        whisper: mode === 'whisper' ? 'out' : 'none',
      });
      await m.ari.addChannel(joins, snoopId).catch((err: unknown) => {
        // Not in the app yet (seen on the real Asterisk under load: 422 "Channel not in Stasis
        // application"): the ARI worker adds it to `joins` at its StasisStart (MONITOR_ARG).
        if (!isAriKind(err, 'conflict', 'unprocessable')) throw err;
      });
    }
    // The supervisor's phone enters the app with the bridge as argument; whoever handles
    // MONITOR_ARG adds it to the bridge when it answers.
    await m.ari.originate({
      endpoint,
      channelId: supLeg,
      app: m.app,
      appArgs: `${MONITOR_ARG},${joins}`,
      timeoutS: 30,
    });
    await this.d.audit.record({
      userId: supervisorId,
      action: `supervisor.${mode}`,
      target: `agent:${agentId}`,
      detail: { callId: call.callId, target },
    });
    await this.announce(supervisorId, agentId, call.callId, mode, {
      supLeg,
      snoopId: mode === 'barge' ? null : `snoop-${id}`,
      bridgeId: mode === 'barge' ? null : `supbr-${id}`,
    });
    return { callId: call.callId, target };
  }

  /** Records the monitoring and publishes agent.monitor.started (after ending a previous one). */
  private async announce(
    supervisorId: string,
    agentId: AgentId,
    callId: CallId,
    mode: MonitorMode,
    legs: Omit<ActiveMonitor, 'event'>,
  ): Promise<void> {
    const { monitors, bus } = this.d;
    if (!monitors || !bus) return;
    // One monitoring per agent: a new one replaces (and ends) the previous.
    await this.end(agentId, 'stopped', null);
    const name = await (this.d.supervisorName?.(supervisorId) ?? Promise.resolve('')).catch(
      () => '',
    );
    const event = AgentMonitorStarted.parse({
      type: 'agent.monitor.started',
      agentId,
      callId,
      mode,
      supervisorId,
      supervisorName: name.slice(0, 128),
      atMs: (this.d.clock ?? systemClock).nowMs(),
    });
    await monitors.put({ event, ...legs });
    await bus.publish(event);
  }

  /** The agent's monitoring in progress (for the agent's snapshot); null when none. */
  async activeMonitor(agentId: AgentId): Promise<AgentMonitorStarted | null> {
    return (await this.d.monitors?.get(agentId))?.event ?? null;
  }

  /**
   * The supervisor stops monitoring the agent: the supervisor's leg is hung up and
   * agent.monitor.ended published. 409 when nobody is monitoring the agent. Audited.
   */
  async stopMonitor(supervisorId: string, agentId: AgentId): Promise<{ callId: CallId }> {
    const ended = await this.end(agentId, 'stopped', null);
    if (!ended) throw new ConflictError(`nobody is monitoring agent ${agentId}`);
    await this.d.audit.record({
      userId: supervisorId,
      action: 'supervisor.monitor_stop',
      target: `agent:${agentId}`,
      detail: { callId: ended.event.callId, mode: ended.event.mode, by: ended.event.supervisorId },
    });
    return { callId: ended.event.callId };
  }

  /**
   * Ends the agent's monitoring because its call or session is over (the gateway calls this on
   * call.ended and when the agent leaves INCALL/DEAD). `callId`: only a monitoring of that call.
   * Safe to call from every api process: one of them takes the entry and publishes the end.
   */
  async callOver(agentId: AgentId, callId: CallId | null): Promise<void> {
    await this.end(agentId, callId ? 'call_ended' : 'agent_left', callId);
  }

  private async end(
    agentId: AgentId,
    reason: AgentMonitorEnded['reason'],
    callId: CallId | null,
  ): Promise<ActiveMonitor | null> {
    const { monitors, bus } = this.d;
    if (!monitors || !bus) return null;
    if (callId) {
      const cur = await monitors.get(agentId);
      if (!cur || cur.event.callId !== callId) return null;
    }
    const m = await monitors.take(agentId);
    if (!m) return null;
    await finishMonitor(m, reason, bus, this.d.clock ?? systemClock, this.d.monitor?.ari);
    return m;
  }
}

/**
 * Tears down a monitoring already taken from the registry (so by one caller only): the
 * supervisor's leg and the snoop channel are hung up, the snoop bridge destroyed (barge has
 * none: the agent's own bridge stays), and agent.monitor.ended published.
 */
async function finishMonitor(
  m: ActiveMonitor,
  reason: AgentMonitorEnded['reason'],
  bus: Pick<EventBus, 'publish'>,
  clock: Clock,
  /** The ARI client of the monitoring's Asterisk server; absent: its channels are left. */
  ari?: Pick<MonitorAri, 'hangup' | 'destroyBridge'>,
): Promise<void> {
  // Best effort: the channels may be gone already (hung up, or the call's end took them).
  await Promise.all([
    ari?.hangup?.(m.supLeg).catch(() => undefined),
    m.snoopId ? ari?.hangup?.(m.snoopId).catch(() => undefined) : undefined,
    m.bridgeId ? ari?.destroyBridge?.(m.bridgeId).catch(() => undefined) : undefined,
  ]);
  const ended: AgentMonitorEnded = {
    type: 'agent.monitor.ended',
    agentId: m.event.agentId,
    callId: m.event.callId,
    mode: m.event.mode,
    supervisorId: m.event.supervisorId,
    reason,
    atMs: clock.nowMs(),
  };
  await bus.publish(ended);
}

/**
 * The ARI worker's part of monitoring: when a supervisor's leg (`sup-<id>`) is destroyed (the
 * supervisor hung up their phone, or it was never answered), the monitoring it was in ends with
 * reason `supervisor_hung_up`. A leg hung up by SupervisorActions (stop, replaced, call over)
 * finds no entry left and changes nothing, so the end is published once.
 */
export class MonitorLegWatcher {
  constructor(
    private readonly d: {
      monitors: MonitorRegistry;
      bus: Pick<EventBus, 'publish'>;
      /** Records `supervisor.monitor_hangup` (user = the supervisor) when given. */
      audit?: Pick<AuditLog, 'record'>;
      clock?: Clock;
      logger?: Logger;
    },
  ) {}

  /**
   * The leg's channel is gone; `ari` is the client of the server it was on. Returns whether a
   * monitoring was ended.
   */
  async legGone(
    channelId: string,
    ari: Pick<MonitorAri, 'hangup' | 'destroyBridge'>,
  ): Promise<boolean> {
    const cur = await this.d.monitors.byLeg(channelId);
    if (!cur) return false;
    const m = await this.d.monitors.take(cur.event.agentId);
    if (!m) return false; // another process ended it first
    if (m.supLeg !== channelId) {
      // A new monitoring replaced this one between the two reads: it is not ours to end.
      await this.d.monitors.put(m);
      return false;
    }
    await finishMonitor(m, 'supervisor_hung_up', this.d.bus, this.d.clock ?? systemClock, ari);
    this.d.logger?.info(
      { agentId: m.event.agentId, callId: m.event.callId, mode: m.event.mode },
      'supervisor hung up: monitoring ended',
    );
    await this.d.audit?.record({
      userId: m.event.supervisorId,
      action: 'supervisor.monitor_hangup',
      target: `agent:${m.event.agentId}`,
      detail: { callId: m.event.callId, mode: m.event.mode },
    });
    return true;
  }
}

/**
 * The supervisor's phone as the agents' phones are dialed (services/telephony/agent-telephony.ts): the
 * PJSIP endpoint named after the username, which the simulated PBX answers by itself.
 */
export function pjsipEndpointOf(users: {
  findById(id: string): Promise<{ username: string; sipEndpoint?: string | null } | null>;
}): (supervisorId: string) => Promise<string> {
  return async (supervisorId) => {
    const u = await users.findById(supervisorId);
    if (!u) throw new NotFoundError(`user ${supervisorId} not found`);
    // A desk phone (users.sip_endpoint) rings like an agent's external phone; else the browser
    // phone, PJSIP/<username>.
    return (
      phoneDialString({ username: u.username, sipEndpoint: u.sipEndpoint ?? null }) ??
      `PJSIP/${u.username}`
    );
  };
}
