import type { AgentId, BusEnvelope, CallId, CampaignId } from '@ringside/protocol';
import type pg from 'pg';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import type { AriServerConfig } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import type { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { AgentLegService } from '../../src/services/telephony/agent-leg.js';
import { seededRng, type Clock, type Rng } from '../../src/ports/clock.js';
import type { EventBus } from '../../src/ports/event-bus.js';
import type { StateStore } from '../../src/ports/state-store.js';
import type { Timers } from '../../src/ports/dialer.js';

export interface BotDeps {
  sessions: AgentSessionService;
  legs: AgentLegService;
  store: StateStore;
  pool: pg.Pool;
  clock: Clock;
  timers: Timers;
  rng: Rng;
  /** Hangs a call up from the agent's side (ARI DELETE /channels/<callId>). */
  hangupCall(callId: CallId): Promise<void>;
}

/**
 * An in-process agent that works a campaign through the agent-session service the way the agent
 * panel would: log in (phone leg nailed up), go ready, take the calls the dialer connects, hang
 * up itself or wait for the customer, wrap up with a disposition, and go ready again. At the end
 * it logs out and its leg is torn down.
 */
export class BotAgent {
  loginAtMs = 0;
  logoutAtMs = 0;
  /** Errors of the bot's own steps; the test asserts none happened before its teardown. */
  readonly lateErrors: unknown[] = [];
  calls = 0;
  private finishing = false;
  private onCall: CallId | null = null;
  private readonly ended = new Set<CallId>();
  private done: (() => void) | null = null;
  readonly finished: Promise<void>;

  constructor(
    readonly agentId: AgentId,
    readonly endpoint: string,
    private readonly campaignId: CampaignId,
    private readonly d: BotDeps,
    /** Share of calls the agent ends itself (else it waits for the customer to hang up). */
    private readonly hangsUpShare = 0.3,
  ) {
    this.finished = new Promise((r) => (this.done = r));
  }

  async login(): Promise<void> {
    const r = await this.d.sessions.apply(
      this.agentId,
      { type: 'login', campaignId: this.campaignId },
      'agent',
    );
    this.loginAtMs = r.envelope.event.atMs;
    await this.d.legs.attach(this.agentId, this.endpoint);
    await this.d.sessions.apply(this.agentId, { type: 'ready' }, 'agent');
  }

  /** Feed every bus envelope. */
  onEvent(env: BusEnvelope): void {
    const e = env.event;
    if (
      e.type === 'agent.state_changed' &&
      e.agentId === this.agentId &&
      e.to === 'INCALL' &&
      e.from === 'RESERVED'
    ) {
      const callId = e.callId;
      if (!callId) return;
      this.onCall = callId;
      this.calls++;
      if (this.ended.has(callId)) {
        void this.customerHungUp(callId).catch((err: unknown) => this.lateErrors.push(err));
        return;
      }
      if (this.d.rng.next() < this.hangsUpShare) {
        const talkMs = 2_000 + this.d.rng.next() * 6_000;
        this.d.timers.after(
          talkMs,
          () => void this.agentHangsUp(callId).catch((err: unknown) => this.lateErrors.push(err)),
        );
      }
    } else if (e.type === 'call.ended') {
      this.ended.add(e.callId);
      if (this.onCall === e.callId)
        void this.customerHungUp(e.callId).catch((err: unknown) => this.lateErrors.push(err));
    }
  }

  /** Stop taking calls: log out at the next chance. */
  finish(): void {
    this.finishing = true;
    void this.tryLogout().catch((err: unknown) => this.lateErrors.push(err));
  }

  private async agentHangsUp(callId: CallId): Promise<void> {
    if (this.onCall !== callId) return;
    this.onCall = null;
    await this.d.sessions
      .apply(this.agentId, { type: 'agent_hangup', wrapupMs: 0 }, 'agent')
      .catch(() => undefined);
    await this.d.hangupCall(callId).catch(() => undefined);
    this.wrapUp(callId);
  }

  private async customerHungUp(callId: CallId): Promise<void> {
    if (this.onCall !== callId) return;
    this.onCall = null;
    // The dialer moves the agent to DEAD itself when it sees the call end; whichever of the two
    // comes second is refused, which is fine.
    await this.d.sessions
      .apply(this.agentId, { type: 'customer_hangup' }, 'system:customer-hangup')
      .catch(() => undefined);
    // The agent reads the screen a moment, then closes the call.
    this.d.timers.after(300 + this.d.rng.next() * 700, () => {
      void this.d.sessions
        .apply(this.agentId, { type: 'agent_hangup', wrapupMs: 0 }, 'agent')
        .then(() => this.wrapUp(callId))
        .catch((err: unknown) => this.lateErrors.push(err));
    });
  }

  private wrapUp(callId: CallId): void {
    const wrapMs = 1_000 + this.d.rng.next() * 3_000;
    this.d.timers.after(wrapMs, () => {
      void (async () => {
        await this.d.pool.query(
          `UPDATE call_log SET disposition = 'NI', disposed_at = $2 WHERE id = $1`,
          [callId, new Date(this.d.clock.nowMs())],
        );
        if (this.finishing) await this.tryLogout();
        else await this.d.sessions.apply(this.agentId, { type: 'ready' }, 'agent');
      })().catch((err: unknown) => {
        // A wrap-up still pending when the test tears the database down fails here; keep it
        // off the unhandled-rejection path (it would fail the whole run after the assertions).
        this.lateErrors.push(err);
      });
    });
  }

  private async tryLogout(): Promise<void> {
    const s = await this.d.store.getAgent(this.agentId);
    if (!s || s.state === 'LOGGED_OUT') return;
    if (s.state !== 'READY' && s.state !== 'PAUSED' && s.state !== 'WRAPUP') return; // on a call
    try {
      const r = await this.d.sessions.apply(this.agentId, { type: 'logout' }, 'agent');
      this.logoutAtMs = r.envelope.event.atMs;
      await this.d.legs.detach(this.agentId, {
        bridgeId: s.bridgeId ?? undefined,
        legChannelId: s.legChannelId ?? undefined,
      });
      this.done?.();
    } catch {
      // Reserved between the read and the logout: the call comes first, logout after it.
    }
  }
}

export interface StartBotsOptions {
  /** The ARI server the agents' phone legs are nailed up on (Stasis app `server.app`). */
  server: AriServerConfig;
  sessions: AgentSessionService;
  store: StateStore;
  bus: EventBus;
  pool: pg.Pool;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Seed of the one random source all bots share. */
  seed: number;
  /** One bot per entry; bot i uses the phone endpoint `PJSIP/agent<i+1>`. */
  agents: { agentId: AgentId; campaignId: CampaignId }[];
}

export interface RunningBots {
  bots: BotAgent[];
  /** Stops feeding bus events to the bots (they do not log out: call `finish()` on each first). */
  close(): Promise<void>;
}

/** Creates the bots, feeds them every bus event from now on, and logs them all in (ready). */
export async function startBots(o: StartBotsOptions): Promise<RunningBots> {
  const ari = new AriRestClient(o.server);
  const legs = new AgentLegService({
    ari,
    store: o.store,
    agents: o.sessions,
    app: o.server.app,
    logger: o.logger,
  });
  const rng = seededRng(o.seed);
  const bots = o.agents.map(
    (a, i) =>
      new BotAgent(a.agentId, `PJSIP/agent${i + 1}`, a.campaignId, {
        sessions: o.sessions,
        legs,
        store: o.store,
        pool: o.pool,
        clock: o.clock,
        timers: o.timers,
        rng,
        hangupCall: (callId) => ari.hangup(callId),
      }),
  );
  const sub = await o.bus.subscribe({
    from: 'latest',
    onEvent: (env) => {
      for (const b of bots) b.onEvent(env);
    },
  });
  await Promise.all(bots.map((b) => b.login()));
  return { bots, close: () => sub.close() };
}

/**
 * When the worker saw each call's AMD decision and its bridging into an agent's bridge: pass
 * `onPublished` to the AriServerSupervisor. Times are performance.now() ms of the ARI event's
 * arrival (wall clock, not virtual time).
 */
export class HandoffTrace {
  readonly amdSeen = new Map<string, number>();
  readonly bridgedSeen = new Map<string, number>();
  /** Calls parked in the holding bridge before an agent was free. */
  readonly parked = new Set<string>();

  readonly onPublished = (env: BusEnvelope, receivedAt: number): void => {
    const e = env.event;
    if (e.type === 'call.amd') this.amdSeen.set(e.callId, receivedAt);
    else if (e.type === 'call.waiting') this.parked.add(e.callId);
    else if (e.type === 'call.bridged') this.bridgedSeen.set(e.callId, receivedAt);
  };

  /** AMD decision -> customer in the agent's bridge (ms), for every call not parked first. */
  direct(): number[] {
    const out: number[] = [];
    for (const [callId, at] of this.bridgedSeen) {
      const amd = this.amdSeen.get(callId);
      if (amd !== undefined && !this.parked.has(callId)) out.push(at - amd);
    }
    return out;
  }
}
