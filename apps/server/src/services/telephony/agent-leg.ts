import { randomBytes } from 'node:crypto';
import { PHONE_LOST_PAUSE_CODE, type AgentId, type AgentStateChanged } from '@ringside/protocol';
import {
  isAriConflict,
  isAriError,
  isAriKind,
  isAriNotFound,
} from '../../ports/telephony-errors.js';
import type { AgentLogRepository } from '../../adapters/postgres/agent-log.js';
import type { UserRecord } from '../../adapters/postgres/users.js';
import { changedEvent, LEG_REASON, transition } from '../../domain/agent-state.js';
import { RingsideError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { systemClock, type Clock } from '../../ports/clock.js';
import { expectedOf, type AgentStatus, type StateStore } from '../../ports/state-store.js';
import { agentBridgeId, type AgentLegHandler, type WorkerAri } from './ari-worker-calls.js';
import type { AgentCommands } from '../dialer/ports.js';

/** The part of the ARI client an agent's leg needs. */
export interface AgentLegAri {
  createBridge(bridgeId: string, type?: 'mixing' | 'holding', name?: string): Promise<unknown>;
  destroyBridge(bridgeId: string): Promise<void>;
  addChannel(bridgeId: string, channel: string | string[]): Promise<void>;
  hangup(channelId: string): Promise<void>;
  originate(p: {
    endpoint: string;
    channelId: string;
    otherChannelId?: string;
    app?: string;
    appArgs?: string;
    timeoutS?: number;
  }): Promise<unknown>;
}

export interface AgentLegDeps {
  /** The ARI client of the server agents' legs live on (the one their customers are bridged on). */
  ari: AgentLegAri;
  store: StateStore;
  agents: AgentCommands;
  /** ARI application name (ARI_APP). */
  app: string;
  logger: Logger;
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
  log?: Pick<AgentLogRepository, 'record'>;
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
 * What Asterisk dials for a user's phone leg: `users.sip_endpoint` when set (any dial string
 * Asterisk accepts: PJSIP/desk-104, PJSIP/104@pbx, Local/104@phones; a bare name means
 * PJSIP/<name>), else PJSIP/<username> (the browser phone's endpoint, services/telephony/sip-accounts.ts).
 * Null for a value that is no dial string (a sip: URI needs an endpoint: PJSIP/<endpoint>/sip:...).
 */
export function phoneDialString(user: {
  username: string;
  sipEndpoint: string | null;
}): string | null {
  const e = user.sipEndpoint?.trim() ?? '';
  if (e.length === 0) return `PJSIP/${user.username}`;
  if (/^[A-Za-z][A-Za-z0-9_]*\/\S+$/.test(e)) return e;
  if (/^[A-Za-z0-9_.-]+$/.test(e)) return `PJSIP/${e}`;
  return null;
}

/** Why an agent's phone could not be brought into its bridge (safe to show; names no number). */
export type PhoneFailure =
  'bad_endpoint' | 'no_such_phone' | 'no_answer' | 'rejected' | 'unreachable' | 'failed';

/** The failure behind an `attach` error. */
export function phoneFailureOf(err: unknown): PhoneFailure {
  if (!isAriError(err)) return 'failed';
  if (err.kind === 'unavailable' || err.kind === 'timeout') return 'unreachable';
  // chan_pjsip creates no channel for an unknown or unregistered endpoint: "Allocation failed"
  // (500); an unknown technology or malformed string: 400.
  if (err.kind === 'badRequest' || (err.kind === 'serverError' && err.status === 500)) {
    return 'no_such_phone';
  }
  // Still ringing when the answer time ran out (the add is refused until it answers).
  if (err.kind === 'conflict' || err.kind === 'unprocessable') return 'no_answer';
  // The channel went away before it answered: refused, busy, or hung up.
  if (err.kind === 'notFound') return 'rejected';
  return 'failed';
}

/** The agent's words for a phone failure. */
export const PHONE_FAILURE_TEXT: Record<PhoneFailure, string> = {
  bad_endpoint:
    'Your SIP endpoint is not a dial string Asterisk accepts (such as PJSIP/desk-104): ask an ' +
    'administrator to correct it.',
  no_such_phone:
    'Asterisk could not call your phone: it knows no phone by your SIP endpoint, or that phone ' +
    'is not registered (Asterisk answered "Allocation failed"). Ask an administrator to check ' +
    'your SIP endpoint, or make sure the phone is switched on and registered.',
  no_answer: 'Your phone did not answer: pick it up when it rings, then connect again.',
  rejected: 'Your phone rejected the call or hung up before answering: connect again.',
  unreachable: 'The phone server is unreachable: try again in a moment.',
  failed: 'Your phone could not be connected: try again, or ask an administrator.',
};

/**
 * The agent's phone could not be brought up: a 409 whose message tells the agent why (the panel
 * shows it as the phone's status). Names no endpoint or number.
 */
export class PhoneUnreachableError extends RingsideError {
  readonly code = 'PHONE_UNREACHABLE';
  override readonly httpStatus = 409;
  constructor(
    readonly failure: PhoneFailure,
    options?: { cause?: unknown },
  ) {
    super(PHONE_FAILURE_TEXT[failure], options);
  }
}

/** Which agent a phone-leg channel belongs to (RedisAgentLegIndex in production). */
export interface AgentLegIndex {
  /** `serverId`: the Asterisk server the channel is on, when the caller knows it. */
  set(channelId: string, agentId: AgentId, serverId?: string): Promise<void>;
  get(channelId: string): Promise<AgentId | null>;
  delete(channelId: string): Promise<void>;
  /**
   * Every indexed leg, for the ARI worker's resync (a leg destroyed while its events were lost).
   * An index without it leaves lost legs to the live ChannelDestroyed only.
   */
  list?(): Promise<IndexedLeg[]>;
}

/** One entry of the leg index. */
export interface IndexedLeg {
  channelId: string;
  agentId: AgentId;
  /** The Asterisk server the leg is on; null when its recorder did not say. */
  serverId: string | null;
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

/** The parts of the users repository that map a phone's endpoint to its user. */
export type EndpointUsers = {
  findByUsername(username: string): Promise<Pick<UserRecord, 'id' | 'active'> | null>;
  list(filter: { active: boolean }): Promise<Array<Pick<UserRecord, 'id' | 'sipEndpoint'>>>;
};

/**
 * The agent a dialed-in phone belongs to: the user named like the endpoint (softphones are
 * provisioned under the username, services/telephony/sip-accounts.ts), else a user whose external phone
 * (`users.sip_endpoint`) is `PJSIP/<endpoint>` or the endpoint itself. Only an active user logged
 * in to a campaign counts; null otherwise.
 */
export function agentOfEndpoint(
  users: EndpointUsers,
  store: Pick<StateStore, 'getAgent'>,
): (endpoint: string) => Promise<AgentId | null> {
  const loggedIn = async (id: string): Promise<boolean> => {
    const s = await store.getAgent(id as AgentId);
    return s !== null && s.state !== 'LOGGED_OUT';
  };
  return async (endpoint) => {
    const name = endpoint.replace(/^pjsip\//i, '');
    if (name.length === 0) return null;
    const byName = await users.findByUsername(name);
    if (byName?.active && (await loggedIn(byName.id))) return byName.id as AgentId;
    const wanted = new Set([`PJSIP/${name}`, name]);
    for (const u of await users.list({ active: true })) {
      if (u.sipEndpoint && wanted.has(u.sipEndpoint) && (await loggedIn(u.id))) {
        return u.id as AgentId;
      }
    }
    return null;
  };
}

export interface AgentLeg {
  bridgeId: string;
  legChannelId: string;
}

/** One phone being called again: the timer of the next attempt (null: one is under way). */
interface Redial {
  timer: NodeJS.Timeout | null;
  attempt: number;
  /** The wait before the attempt scheduled last, ms. */
  delayMs: number;
  /** The leg that was lost: a status still naming it has no leg (a write that raced the loss). */
  lostChannelId: string | null;
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
  /** Agents whose external phone is being called again, and when next. */
  private readonly redials = new Map<AgentId, Redial>();
  private closed = false;

  constructor(private readonly d: AgentLegDeps) {}

  /** Stops calling phones again (role shutdown). */
  close(): void {
    this.closed = true;
    for (const r of this.redials.values()) if (r.timer) clearTimeout(r.timer);
    this.redials.clear();
  }

  /** Agents whose phone is being called again (tests, status). */
  redialing(): AgentId[] {
    return [...this.redials.keys()];
  }

  /**
   * Calls the agent's external phone again until it answers (1 s, doubling to 60 s between
   * attempts), or the agent logs out, or its leg is back some other way. One loop per agent.
   */
  redial(agentId: AgentId, lostChannelId: string | null = null): void {
    if (this.closed || this.redials.has(agentId) || !this.d.redialEndpoint) return;
    const r: Redial = {
      timer: null,
      attempt: 1,
      delayMs: this.d.redialBaseMs ?? 1_000,
      lostChannelId,
    };
    this.redials.set(agentId, r);
    this.scheduleRedial(agentId, r, r.delayMs);
  }

  /**
   * The phone server is back (the worker saw it come up): every phone waiting to be called again
   * is called now, and its backoff starts over, rather than after a wait grown while it was down.
   */
  redialNow(): void {
    for (const [agentId, r] of this.redials) {
      if (!r.timer) continue; // an attempt is under way
      clearTimeout(r.timer);
      r.delayMs = this.d.redialBaseMs ?? 1_000;
      this.scheduleRedial(agentId, r, 0);
    }
  }

  private scheduleRedial(agentId: AgentId, r: Redial, waitMs: number): void {
    if (this.closed) return;
    r.timer = setTimeout(() => {
      r.timer = null;
      void this.redialOnce(agentId, r.attempt, r.lostChannelId)
        .catch(() => false)
        .then((done) => {
          if (done || this.closed) {
            this.redials.delete(agentId);
            return;
          }
          r.attempt += 1;
          r.delayMs = Math.min(r.delayMs * 2, this.d.redialMaxMs ?? 60_000);
          this.scheduleRedial(agentId, r, r.delayMs);
        });
    }, waitMs);
    r.timer.unref();
  }

  /** One call again; true when the loop is over (answered, logged out, nothing to call). */
  private async redialOnce(
    agentId: AgentId,
    n: number,
    lostChannelId: string | null,
  ): Promise<boolean> {
    if (this.closed) return true;
    const s = await this.d.store.getAgent(agentId);
    if (!s || s.state === 'LOGGED_OUT') {
      this.d.logger.info({ agentId, attempts: n - 1 }, 'phone not called again: agent logged out');
      return true;
    }
    // Back some other way. A status that still names the lost leg is not: a transition read
    // before the loss (the call ending in the same instant, a compare-and-set on the state only)
    // may have written the old leg back; attach() writes the new one over it.
    if (s.legChannelId && s.legChannelId !== lostChannelId) return true;
    const endpoint = await this.d.redialEndpoint?.(agentId);
    if (!endpoint) return true;
    try {
      await this.attach(agentId, endpoint);
      this.d.logger.info({ agentId, attempt: n }, 'external phone called again: it answered');
      return true;
    } catch (err) {
      const after = await this.d.store.getAgent(agentId);
      if (!after || after.state === 'LOGGED_OUT') {
        // Logged out while it rang: a leg that answered meanwhile is nobody's.
        await this.detach(agentId).catch(() => undefined);
        return true;
      }
      this.d.logger.warn(
        { agentId, attempt: n, reason: phoneFailureOf(err) },
        'external phone called again: no answer yet, calling later',
      );
      return false;
    }
  }

  /**
   * Calls `endpoint` (e.g. PJSIP/agent7, or Local/<exten>@agents) and nails it up in the agent's
   * bridge. The agent must be logged in (any state). Throws TelephonyError when the phone cannot be
   * reached or does not answer in time.
   */
  async attach(agentId: AgentId, endpoint: string): Promise<AgentLeg> {
    const bridgeId = agentBridgeId(agentId);
    const legChannelId = `leg-${agentId}-${randomBytes(4).toString('hex')}`;
    const before = await this.d.store.getAgent(agentId);
    await this.ensureBridge(bridgeId, onACall(before));
    try {
      await this.d.ari.originate({
        endpoint,
        channelId: legChannelId,
        ...(endpoint.startsWith('Local/') ? { otherChannelId: `${legChannelId}-2` } : {}),
        app: this.d.app,
        appArgs: `${AGENT_LEG_ARG},${agentId}`,
        // Asterisk rings a little longer than we wait: a phone nobody picks up is then hung up
        // by us at our deadline (a 422: "did not answer"), and a 404 before it means it refused.
        timeoutS: Math.ceil((this.d.answerTimeoutMs ?? 15_000) / 1000) + RING_GRACE_S,
      });
      await this.addWhenAnswered(bridgeId, legChannelId);
    } catch (err) {
      // The bridge made for this leg holds nothing now: no empty bridge is left behind (unless a
      // customer may be in it, or another leg of the agent came up meanwhile).
      const now = await this.d.store.getAgent(agentId).catch(() => null);
      if (!onACall(before) && !onACall(now) && !now?.legChannelId) {
        await this.d.ari.destroyBridge(bridgeId).catch(() => undefined);
      }
      throw err;
    }
    const now = await this.d.store.getAgent(agentId);
    if (now?.legChannelId && now.legChannelId !== (before?.legChannelId ?? null)) {
      // Another call of this agent's phone came up first (the worker calling a lost phone again
      // while the agent asked to connect): keep that one, so the agent has one leg.
      await this.d.ari.hangup(legChannelId).catch(() => undefined);
      this.d.logger.info(
        { agentId, legChannelId },
        'agent phone leg not needed: one came up first',
      );
      return { bridgeId: now.bridgeId ?? bridgeId, legChannelId: now.legChannelId };
    }
    await this.record(
      agentId,
      { bridgeId, legChannelId },
      before?.legChannelId ?? null,
      this.d.serverId,
    );
    this.d.logger.info({ agentId, bridgeId, legChannelId }, 'agent phone leg nailed up');
    return { bridgeId, legChannelId };
  }

  /** Hangs up the agent's leg and destroys its bridge; clears them in agent_status if still set. */
  async detach(agentId: AgentId, leg?: Partial<AgentLeg>): Promise<void> {
    const status = await this.d.store.getAgent(agentId);
    const legChannelId = leg?.legChannelId ?? status?.legChannelId ?? null;
    const bridgeId = leg?.bridgeId ?? status?.bridgeId ?? agentBridgeId(agentId);
    if (legChannelId) await this.d.ari.hangup(legChannelId).catch(ignoreGone);
    await this.d.ari.destroyBridge(bridgeId).catch(ignoreGone);
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
        await ari.createBridge(bridgeId, 'mixing', bridgeId).catch(ignoreExists);
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

  private async ensureBridge(bridgeId: string, keep: boolean): Promise<void> {
    if (keep) {
      // The agent is on a call whose customer waits in the bridge: the new leg rejoins it.
      await this.d.ari.createBridge(bridgeId, 'mixing', bridgeId).catch(ignoreExists);
      return;
    }
    // A bridge left over from a session that ended badly is replaced, with whatever it held.
    await this.d.ari.destroyBridge(bridgeId).catch(ignoreGone);
    await this.d.ari.createBridge(bridgeId, 'mixing', bridgeId);
  }

  /** The phone enters the app only once it answers; until then ARI refuses the add (409/422). */
  private async addWhenAnswered(bridgeId: string, channelId: string): Promise<void> {
    const deadline = Date.now() + (this.d.answerTimeoutMs ?? 15_000);
    for (;;) {
      try {
        await this.d.ari.addChannel(bridgeId, channelId);
        return;
      } catch (err) {
        const notYet = isAriKind(err, 'conflict', 'unprocessable');
        if (!notYet || Date.now() >= deadline) {
          await this.d.ari.hangup(channelId).catch(() => undefined);
          throw err;
        }
      }
      await new Promise((r) => setTimeout(r, this.d.retryMs ?? 50));
    }
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

function ignoreGone(err: unknown): void {
  if (isAriNotFound(err)) return;
  throw err;
}

function ignoreExists(err: unknown): void {
  if (isAriConflict(err)) return;
  throw err;
}
