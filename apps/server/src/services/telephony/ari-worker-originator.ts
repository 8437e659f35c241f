import type { CallLogWriter } from '../../ports/call-log.js';
import { isAriError, TelephonyError } from '../../ports/telephony-errors.js';
import { UnavailableError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import { newLiveCall as newCall, type LiveCall, type StateStore } from '../../ports/state-store.js';
import type { OriginateCall, OriginateResult, Originator } from '../../ports/dialer.js';
import type { OriginationPool } from '../../ports/telephony.js';
import { newPlacement, type PlacementState } from '../../domain/fleet.js';
import type { AgentId, CampaignId } from '@ringside/protocol';

// The originator's contract with the dialer (ports/dialer.ts), named here too for its users.
export type { OriginateCall, OriginateResult };

export interface CallOriginatorOptions {
  pool: OriginationPool;
  store: StateStore;
  callLog: CallLogWriter;
  clock: Clock;
  logger: Logger;
  /**
   * How a number becomes an ARI endpoint. `{e164}` is the number with its +, `{digits}` without.
   * Default `Local/{digits}@sim-customers` (the simulated customers); a trunk: `PJSIP/{e164}@trunk`.
   */
  dialTemplate?: string;
  /**
   * Several Asterisk servers (docs/telephony.md, "Asterisk fleet"): a campaign's calls go to the
   * servers in proportion to its READY agents homed on each, and an agent's own (manual) call to
   * the agent's home. Absent: the least-loaded server.
   */
  placement?: OriginationPlacement;
}

/** What the originator reads to place calls on a fleet (adapters/redis/agent-homes.ts). */
export interface OriginationPlacement {
  readyByServer(campaignId: CampaignId): Promise<ReadonlyMap<string, number>>;
  homeOf(agentId: AgentId): Promise<string | null>;
  /** How long a campaign's ready count is reused, ms (default 250: the dialer's tick). */
  cacheMs?: number;
}

export function dialEndpoint(template: string, phone: string): string {
  return template.replaceAll('{e164}', phone).replaceAll('{digits}', phone.replace(/^\+/, ''));
}

/**
 * Places calls: picks a server with free capacity, records the call (live_call DIALING with
 * call.originated, and its call_log row) before asking Asterisk, so that every ARI event of the
 * call finds it; then POST /channels with our channel ids. A refused origination ends the call
 * at once as ORIGINATE_FAILED. Used by the dialer (and manual dials); the ARI worker follows the
 * call from there.
 */
export class CallOriginator implements Originator {
  private readonly template: string;

  constructor(private readonly o: CallOriginatorOptions) {
    this.template = o.dialTemplate ?? 'Local/{digits}@sim-customers';
  }

  private readonly placements = new Map<CampaignId, PlacementState>();
  private readonly ready = new Map<
    CampaignId,
    { atMs: number; ready: ReadonlyMap<string, number> }
  >();

  /** The server for this call: the fleet's placement when there is one, else the least loaded. */
  private async serverFor(req: OriginateCall): Promise<ReturnType<OriginationPool['pick']>> {
    const p = this.o.placement;
    const pool = this.o.pool;
    if (!p || !pool.place || !pool.openServer) return pool.pick();
    if (req.agentId) {
      // An agent's own call starts on the agent's home, where its phone is.
      const home = await p.homeOf(req.agentId);
      const s = home ? pool.openServer(home) : null;
      if (s) return s;
    }
    const now = this.o.clock.nowMs();
    let hit = this.ready.get(req.campaignId);
    if (!hit || now - hit.atMs >= (p.cacheMs ?? 250)) {
      hit = { atMs: now, ready: await p.readyByServer(req.campaignId) };
      this.ready.set(req.campaignId, hit);
    }
    let state = this.placements.get(req.campaignId);
    if (!state) {
      state = newPlacement();
      this.placements.set(req.campaignId, state);
    }
    return pool.place(state, hit.ready);
  }

  async originate(req: OriginateCall): Promise<OriginateResult> {
    const server = await this.serverFor(req);
    if (!server) {
      return {
        ok: false,
        attempted: false,
        error: new UnavailableError('no Asterisk server is up with a free line'),
      };
    }
    this.o.pool.acquire(server.id);
    const atMs = this.o.clock.nowMs();
    const call = newLiveCall(req, server.id, atMs);
    // Both must exist before Asterisk is asked: its first events can beat the POST's response.
    await Promise.all([
      this.o.store.putCall(call, originatedEvent(req, server.id, atMs)),
      this.o.callLog.start({
        callId: req.callId,
        campaignId: req.campaignId,
        listId: req.listId,
        leadId: req.leadId,
        phone: req.phone,
        attempt: req.attempt,
        manual: req.manual ?? false,
        serverId: server.id,
        channelId: req.callId,
        agentId: req.agentId ?? null,
        originatedAtMs: atMs,
      }),
    ]);
    try {
      await server.client.originate({
        endpoint: dialEndpoint(this.template, req.phone),
        channelId: req.callId,
        otherChannelId: `${req.callId}-2`,
        context: req.context ?? 'dialer-outbound',
        extension: 's',
        priority: 1,
        timeoutS: req.ringTimeoutS,
        ...(req.callerId ? { callerId: req.callerId } : {}),
      });
      return { ok: true, serverId: server.id };
    } catch (err) {
      const error = isAriError(err)
        ? err
        : new TelephonyError(
            0,
            err instanceof Error ? err.message : 'failed',
            'channels.originate',
            { cause: err },
          );
      // Taking a failing server out of the pool is the dialer's trunk breaker's call (it knows
      // whether failures repeat); one refusal says little.
      this.o.pool.release(server.id);
      this.o.logger.warn(
        {
          callId: req.callId,
          leadId: req.leadId,
          serverId: server.id,
          status: error.status,
          reason: error.asteriskMessage,
        },
        'origination refused',
      );
      await this.failed(call, error);
      return { ok: false, attempted: true, error };
    }
  }

  private async failed(call: LiveCall, error: TelephonyError): Promise<void> {
    const atMs = this.o.clock.nowMs();
    // The worker may already have seen the channel die; only end what is still live.
    const current = await this.o.store.getCall(call.callId);
    if (!current) return;
    await this.o.store.endCall(
      { ...current, stage: 'ENDED', endedAtMs: atMs },
      {
        type: 'call.ended',
        callId: call.callId,
        campaignId: call.campaignId,
        leadId: call.leadId,
        outcome: 'ORIGINATE_FAILED',
        hangupCause: null,
        agentId: call.agentId,
        atMs,
      },
    );
    await this.o.callLog
      .step(call.callId, { kind: 'ended', atMs, outcome: 'ORIGINATE_FAILED', hangupCause: null })
      .catch((e: unknown) =>
        this.o.logger.error(
          { err: e, callId: call.callId, status: error.status },
          'call_log update failed',
        ),
      );
  }
}

/** The call.originated event stored with the new live call (the call's channel is its id). */
export function originatedEvent(req: OriginateCall, serverId: string, atMs: number) {
  return {
    type: 'call.originated' as const,
    callId: req.callId,
    campaignId: req.campaignId,
    leadId: req.leadId,
    listId: req.listId,
    agentId: req.agentId ?? null,
    serverId,
    channelId: req.callId,
    atMs,
  };
}

/** The live_call of a call being originated on `serverId` at `atMs` (stage DIALING). */
export function newLiveCall(req: OriginateCall, serverId: string, atMs: number): LiveCall {
  return newCall({
    callId: req.callId,
    campaignId: req.campaignId,
    leadId: req.leadId,
    listId: req.listId,
    phone: req.phone,
    serverId,
    attempt: req.attempt,
    originatedAtMs: atMs,
    agentId: req.agentId ?? null,
    manual: req.manual ?? false,
  });
}
