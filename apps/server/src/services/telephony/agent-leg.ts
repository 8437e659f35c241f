import { randomBytes } from 'node:crypto';
import { PHONE_LOST_PAUSE_CODE, type AgentId, type AgentStateChanged } from '@ringside/protocol';
import { changedEvent, LEG_REASON, transition } from '../../domain/agent-state.js';
import type { Logger } from '../../logger.js';
import type { AgentLogWriter } from '../../ports/agents.js';
import { systemClock, type Clock } from '../../ports/clock.js';
import { expectedOf, type AgentStatus, type StateStore } from '../../ports/state-store.js';
import type {
  AgentLegAri,
  AgentLegHandler,
  AgentLegIndex,
  WorkerAri,
} from '../../ports/telephony.js';
import { ignoreAriConflict, ignoreAriNotFound } from '../../ports/telephony-errors.js';
import type { AgentCommands } from '../../ports/dialer.js';
import { PhoneRedialer } from './agent-leg-redial.js';
import { addWhenAnswered } from './agent-phone.js';
import { agentBridgeId } from './ari-worker-events.js';

export interface AgentLegDeps {
  /** The ARI client of the server agents' legs live on (the one their customers are bridged on). */
  ari: AgentLegAri;
  store: StateStore;
  agents: AgentCommands;
  /** ARI application name (ARI_APP). */
  app: string;
  logger: Logger;
  /**
   * Several Asterisk servers (docs/telephony.md, "Asterisk fleet"): the server an agent's leg is
   * called from and its bridge made on, the agent's home (chosen if it has none yet). Absent, or
   * null for an agent: `ari` and `serverId`.
   */
  homeOf?: (
    agentId: AgentId,
    /** false: only the home it has (a detach never chooses one). */
    choose: boolean,
  ) => Promise<{ ari: AgentLegAri; serverId: string } | null>;
  /** How long to wait for the phone to answer and enter the app, ms of wall clock (default 15,000). */
  answerTimeoutMs?: number;
  /** Between attempts to add the leg to the bridge while the phone has not answered, ms (50). */
  retryMs?: number;
  /**
   * Channel id -> agent of every recorded leg, so the ARI worker (any process, after a restart
   * too) can tell an agent's leg from other channels when it is destroyed. Without it `legGone`
   * finds nothing.
   */
  index?: AgentLegIndex;
  /** agent_log for the pause a lost leg causes (else only the recorder writes it, from the bus). */
  log?: Pick<AgentLogWriter, 'record'>;
  /** Stamps the pause a lost leg causes (default: the wall clock). */
  clock?: Clock;
  /**
   * Id of the Asterisk server `ari` talks to (AriServerConfig.id): recorded with the legs
   * `attach` nails up, and the server an indexed leg of no recorded server is taken to be on
   * (the first one, where legs live). Unset: such legs are on no server a resync knows of.
   */
  serverId?: string;
  /**
   * The phone to call again when an agent's leg is lost (Asterisk restarted, the phone hung up):
   * its dial string (`phoneDialString`), or null when Ringside does not call it (a browser phone
   * re-registers and dials `login` by itself). Unset: lost legs are never called again.
   */
  redialEndpoint?: (agentId: AgentId) => Promise<string | null>;
  /** Wait before the first call again, ms (1,000), doubling after each failure up to redialMaxMs. */
  redialBaseMs?: number;
  /** Longest wait between two calls again, ms (60,000). */
  redialMaxMs?: number;
}

/**
 * Pause code of an agent whose phone leg went away while it waited for calls: it must not be
 * offered one until its phone is back (the panel then lets it go READY again). One definition,
 * in the protocol, which the panel reads too.
 */
export { PHONE_LOST_PAUSE_CODE };
/** Reason of that pause in agent.state_changed / agent_log. */
export const PHONE_LOST_REASON = 'system:phone-lost';

/** What losing its leg does to an agent: one write, one event (see `legLost`). */
export interface LegLost {
  status: AgentStatus;
  event: AgentStateChanged;
  /** No customer can be in the agent's bridge: tear it down (a hand-off under way then fails). */
  destroyBridge: boolean;
}

/**
 * The agent's status once its phone leg `channelId` is gone (pure), or null when that channel is
 * not its current leg. READY or RESERVED: PAUSED with code PHONE and no leg nor bridge, so no
 * call is handed to it; the dialer's hand-off in progress fails to add the customer to the
 * destroyed bridge and tries another agent (or drops with safe harbor). Any other state: only the
 * leg is cleared; an INCALL customer stays in the agent's bridge, where a new leg rejoins it.
 */
export function legLost(prev: AgentStatus, channelId: string, atMs: number): LegLost | null {
  if (prev.state === 'LOGGED_OUT' || prev.legChannelId !== channelId) return null;
  const at = Math.max(atMs, prev.sinceMs);
  if (prev.state === 'READY' || prev.state === 'RESERVED') {
    const ready =
      prev.state === 'RESERVED' ? transition(prev, { type: 'unreserve', atMs: at }).status : prev;
    const paused = transition(ready, { type: 'pause', code: PHONE_LOST_PAUSE_CODE, atMs: at });
    const status: AgentStatus = { ...paused.status, bridgeId: null, legChannelId: null };
    return {
      status,
      event: changedEvent(prev, status, PHONE_LOST_REASON, at),
      destroyBridge: true,
    };
  }
  const cleared = transition(prev, {
    type: 'set_leg',
    bridgeId: prev.bridgeId,
    legChannelId: null,
    atMs: at,
  }).status;
  return {
    status: cleared,
    event: changedEvent(prev, cleared, LEG_REASON, at),
    destroyBridge: false,
  };
}

export interface AgentLeg {
  bridgeId: string;
  legChannelId: string;
}

/** Seconds Asterisk rings an agent's phone beyond the answer time we wait for. */
const RING_GRACE_S = 5;

/** The argument our originated legs carry into the app; the worker leaves them to us. */
export const AGENT_LEG_ARG = 'agentleg';

/**
 * The agent's own mixing bridge and the phone leg nailed up in it for the whole session, so a
 * live answer reaches the agent with a single "add channel" (no ringing, no SIP set-up on the
 * hot path). At login `attach()` creates the bridge `agent-<agentId>` (the id the ARI worker
 * reads the agent back from), calls the agent's phone into the app and adds it to the bridge,
 * then records bridgeId/legChannelId in agent_status. `detach()` tears both down at logout.
 *
 * A browser softphone instead dials `login` itself and arrives as StasisStart ["agent", endpoint]:
 * `workerHandler()` is the ARI worker's hook for that case.
 */
export class AgentLegService {
  /** Calls lost external phones again until they answer. */
  private readonly redialer: PhoneRedialer;

  constructor(private readonly d: AgentLegDeps) {
    this.redialer = new PhoneRedialer({
      store: d.store,
      logger: d.logger,
      ...(d.redialEndpoint ? { endpoint: d.redialEndpoint } : {}),
      ...(d.redialBaseMs !== undefined ? { baseMs: d.redialBaseMs } : {}),
      ...(d.redialMaxMs !== undefined ? { maxMs: d.redialMaxMs } : {}),
      attach: (agentId, endpoint) => this.attach(agentId, endpoint),
      detach: (agentId) => this.detach(agentId),
    });
  }

  /** Stops calling phones again (role shutdown). */
  close(): void {
    this.redialer.close();
  }

  /** Agents whose phone is being called again (tests, status). */
  redialing(): AgentId[] {
    return this.redialer.redialing();
  }

  /**
   * Calls the agent's external phone again until it answers (1 s, doubling to 60 s between
   * attempts), or the agent logs out, or its leg is back some other way. One loop per agent.
   */
  redial(agentId: AgentId, lostChannelId: string | null = null): void {
    this.redialer.redial(agentId, lostChannelId);
  }

  /** The phone server is back: every phone waiting to be called again is called now. */
  redialNow(): void {
    this.redialer.redialNow();
  }

  /**
   * Calls `endpoint` (e.g. PJSIP/agent7, or Local/<exten>@agents) and nails it up in the agent's
   * bridge. The agent must be logged in (any state). Throws TelephonyError when the phone cannot be
   * reached or does not answer in time.
   */
  async attach(agentId: AgentId, endpoint: string): Promise<AgentLeg> {
    const { ari, serverId } = await this.legServer(agentId);
    const bridgeId = agentBridgeId(agentId);
    const legChannelId = `leg-${agentId}-${randomBytes(4).toString('hex')}`;
    const before = await this.d.store.getAgent(agentId);
    await this.ensureBridge(ari, bridgeId, onACall(before));
    try {
      await ari.originate({
        endpoint,
        channelId: legChannelId,
        ...(endpoint.startsWith('Local/') ? { otherChannelId: `${legChannelId}-2` } : {}),
        app: this.d.app,
        appArgs: `${AGENT_LEG_ARG},${agentId}`,
        // Asterisk rings a little longer than we wait: a phone nobody picks up is then hung up
        // by us at our deadline (a 422: "did not answer"), and a 404 before it means it refused.
        timeoutS: Math.ceil((this.d.answerTimeoutMs ?? 15_000) / 1000) + RING_GRACE_S,
      });
      await addWhenAnswered(ari, bridgeId, legChannelId, {
        timeoutMs: this.d.answerTimeoutMs ?? 15_000,
        retryMs: this.d.retryMs ?? 50,
        hangup: () => ari.hangup(legChannelId),
      });
    } catch (err) {
      // The bridge made for this leg holds nothing now: no empty bridge is left behind (unless a
      // customer may be in it, or another leg of the agent came up meanwhile).
      const now = await this.d.store.getAgent(agentId).catch(() => null);
      if (!onACall(before) && !onACall(now) && !now?.legChannelId) {
        await ari.destroyBridge(bridgeId).catch(() => undefined);
      }
      throw err;
    }
    const now = await this.d.store.getAgent(agentId);
    if (now?.legChannelId && now.legChannelId !== (before?.legChannelId ?? null)) {
      // Another call of this agent's phone came up first (the worker calling a lost phone again
      // while the agent asked to connect): keep that one, so the agent has one leg.
      await ari.hangup(legChannelId).catch(() => undefined);
      this.d.logger.info(
        { agentId, legChannelId },
        'agent phone leg not needed: one came up first',
      );
      return { bridgeId: now.bridgeId ?? bridgeId, legChannelId: now.legChannelId };
    }
    await this.record(agentId, { bridgeId, legChannelId }, before?.legChannelId ?? null, serverId);
    this.d.logger.info({ agentId, bridgeId, legChannelId }, 'agent phone leg nailed up');
    return { bridgeId, legChannelId };
  }

  /** Hangs up the agent's leg and destroys its bridge; clears them in agent_status if still set. */
  async detach(agentId: AgentId, leg?: Partial<AgentLeg>): Promise<void> {
    const { ari } = await this.legServer(agentId, false);
    const status = await this.d.store.getAgent(agentId);
    const legChannelId = leg?.legChannelId ?? status?.legChannelId ?? null;
    const bridgeId = leg?.bridgeId ?? status?.bridgeId ?? agentBridgeId(agentId);
    if (legChannelId) await ari.hangup(legChannelId).catch(ignoreAriNotFound);
    await ari.destroyBridge(bridgeId).catch(ignoreAriNotFound);
    if (status && status.state !== 'LOGGED_OUT' && (status.bridgeId || status.legChannelId)) {
      await this.record(agentId, { bridgeId: null, legChannelId: null }, status.legChannelId);
    } else if (legChannelId) {
      await this.d.index?.delete(legChannelId);
    }
  }

  /**
   * The ARI worker's hook for a phone that dialed in (StasisStart ["agent", endpoint]): finds the
   * agent by its endpoint, nails the leg up in the agent's bridge `agent-<agentId>` (created if
   * missing: a customer already in it stays) and records it. A leg of nobody logged in is hung up.
   * A new leg of an agent that has one replaces it: the new one is recorded first, then the old
   * one hung up, so the agent is never without a leg in between.
   */
  workerHandler(resolveAgent: (endpoint: string) => Promise<AgentId | null>): AgentLegHandler {
    return {
      onAgentLeg: async (leg, ari) => {
        const agentId = await resolveAgent(leg.endpoint);
        if (!agentId) {
          // The endpoint is personal data of a kind (a username): the channel id is enough.
          this.d.logger.warn(
            { channelId: leg.channelId },
            'phone leg of no logged-in agent hung up',
          );
          await ari.hangup(leg.channelId).catch(() => undefined);
          return;
        }
        const bridgeId = agentBridgeId(agentId);
        await ari.createBridge(bridgeId, 'mixing', bridgeId).catch(ignoreAriConflict);
        await ari.addChannel(bridgeId, leg.channelId);
        const old = (await this.d.store.getAgent(agentId))?.legChannelId ?? null;
        try {
          await this.record(agentId, { bridgeId, legChannelId: leg.channelId }, old, leg.serverId);
        } catch (err) {
          // Logged out meanwhile: nobody will use this leg.
          this.d.logger.warn({ err, agentId, channelId: leg.channelId }, 'phone leg not recorded');
          await ari.hangup(leg.channelId).catch(() => undefined);
          return;
        }
        if (old && old !== leg.channelId) {
          await ari.hangup(old).catch(() => undefined);
        }
        this.d.logger.info(
          { agentId, bridgeId, legChannelId: leg.channelId, replaced: old !== null },
          'agent phone leg joined its bridge',
        );
      },
      legGone: (channelId, ari) => this.legGone(channelId, ari),
      legsOn: (serverId) => this.legsOn(serverId),
    };
  }

  /**
   * Channel ids of the legs indexed on Asterisk server `serverId` (a leg of no recorded server
   * counts as on `AgentLegDeps.serverId`), for the ARI worker's resync: each one missing from
   * that server's channels is handed to `legGone`. Empty without an index that can list.
   */
  async legsOn(serverId: string): Promise<string[]> {
    const legs = (await this.d.index?.list?.()) ?? [];
    return legs.filter((l) => (l.serverId ?? this.d.serverId) === serverId).map((l) => l.channelId);
  }

  /**
   * The ARI worker saw `channelId` destroyed, or found it gone on a resync: if it is an agent's
   * current leg, the leg is cleared and the agent paused when it was waiting for a call
   * (`legLost`), in one write and one agent.state_changed. Returns whether an agent was changed.
   * Idempotent: the index entry is deleted first (a second call finds nothing), and the write is
   * a compare-and-set on the agent's state. The worker runs both callers for one channel in that
   * channel's queue, so a resync and a late ChannelDestroyed never overlap.
   */
  async legGone(channelId: string, ari?: Pick<WorkerAri, 'destroyBridge'>): Promise<boolean> {
    const index = this.d.index;
    if (!index) return false;
    const agentId = await index.get(channelId);
    if (!agentId) return false;
    await index.delete(channelId);
    for (let attempt = 0; attempt < 3; attempt++) {
      const prev = await this.d.store.getAgent(agentId);
      if (!prev) return false;
      const lost = legLost(prev, channelId, this.nowMs());
      if (!lost) return false;
      const env = await this.d.store.transitionAgent(lost.status, expectedOf(prev), lost.event);
      if (!env) continue; // changed meanwhile (e.g. the dialer reserved it): read again
      await this.d.log?.record(lost.event, prev, lost.status).catch((err: unknown) => {
        this.d.logger.warn({ err, agentId }, 'agent_log write failed; left to the recorder');
      });
      if (lost.destroyBridge && prev.bridgeId) {
        await ari?.destroyBridge?.(prev.bridgeId).catch(() => undefined);
      }
      this.d.logger.warn(
        { agentId, channelId, state: prev.state, to: lost.status.state },
        'agent phone leg lost',
      );
      // An external phone is called again until it answers (a browser phone dials in itself).
      this.redial(agentId, channelId);
      return true;
    }
    this.d.logger.warn({ agentId, channelId }, 'agent phone leg lost but the agent kept changing');
    return false;
  }

  private nowMs(): number {
    return (this.d.clock ?? systemClock).nowMs();
  }

  private async ensureBridge(ari: AgentLegAri, bridgeId: string, keep: boolean): Promise<void> {
    if (keep) {
      // The agent is on a call whose customer waits in the bridge: the new leg rejoins it.
      await ari.createBridge(bridgeId, 'mixing', bridgeId).catch(ignoreAriConflict);
      return;
    }
    // A bridge left over from a session that ended badly is replaced, with whatever it held.
    await ari.destroyBridge(bridgeId).catch(ignoreAriNotFound);
    await ari.createBridge(bridgeId, 'mixing', bridgeId);
  }

  /** The server the agent's leg is on: its home on a fleet, else the one server. */
  private async legServer(
    agentId: AgentId,
    choose = true,
  ): Promise<{ ari: AgentLegAri; serverId: string | undefined }> {
    const home = await this.d.homeOf?.(agentId, choose).catch((err: unknown) => {
      this.d.logger.warn({ err, agentId }, "agent's home server not known: using the first");
      return null;
    });
    if (home) return home;
    return { ari: this.d.ari, serverId: this.d.serverId };
  }

  /**
   * Records the leg in agent_status and keeps the channel index in step (`previous`: forgotten;
   * `serverId`: the Asterisk server the leg is on, if known).
   */
  private async record(
    agentId: AgentId,
    leg: { bridgeId: string | null; legChannelId: string | null },
    previous: string | null = null,
    serverId?: string,
  ): Promise<void> {
    // Indexed before the write: a leg destroyed right after it is recorded is still found.
    if (leg.legChannelId) await this.d.index?.set(leg.legChannelId, agentId, serverId);
    await this.d.agents.apply(agentId, { type: 'set_leg', ...leg }, LEG_REASON);
    if (previous && previous !== leg.legChannelId) await this.d.index?.delete(previous);
  }
}

/** A customer may be in the agent's bridge (reserved for, on, or just after a call). */
function onACall(s: AgentStatus | null): boolean {
  return s?.state === 'RESERVED' || s?.state === 'INCALL' || s?.state === 'DEAD';
}
