import { crossBridgeId, crossLegId } from '../../domain/fleet.js';
import type { Logger } from '../../logger.js';
import type { Crossing, CrossingResult, FleetCrossing } from '../../ports/fleet.js';
import type { OriginateRequest } from '../../ports/telephony.js';
import { ignoreAriConflict, isAriError } from '../../ports/telephony-errors.js';
import { addWhenAnswered } from './agent-phone.js';

/** The ARI a crossing needs on each of the two servers. */
export interface FleetTrunkAri {
  originate(p: OriginateRequest): Promise<unknown>;
  createBridge(bridgeId: string, type?: 'mixing' | 'holding', name?: string): Promise<unknown>;
  destroyBridge(bridgeId: string): Promise<void>;
  addChannel(bridgeId: string, channel: string | string[]): Promise<void>;
  removeChannel(bridgeId: string, channel: string | string[]): Promise<void>;
  hangup(channelId: string): Promise<void>;
}

export interface FleetTrunkDeps {
  /** The ARI client of a server of the fleet, by id (null: not configured here). */
  ari(serverId: string): FleetTrunkAri | null;
  /**
   * The dial string that reaches extension `exten` on server `to` over the trunk from server
   * `from` (FLEET_TRUNK_DIAL: default `PJSIP/{exten}@fleet-{to}`, {to} = the server's place in
   * ARI_URL counting from 1), or null when `from` has no trunk to `to`.
   */
  trunkDial(from: string, to: string, exten: string): string | null;
  /** ARI_APP: the trunk leg enters it on answer (the worker leaves `fleetleg` legs alone). */
  app: string;
  logger: Logger;
  /** How long the trunk call may take to be answered, ms (default 5,000; wall clock). */
  answerTimeoutMs?: number;
  /** Between attempts to add the trunk leg to the agent's bridge before it answers, ms (20). */
  retryMs?: number;
}

/** App argument of the trunk legs the agent's server originates. */
export const FLEET_LEG_ARG = 'fleetleg';

/**
 * Connects a customer on one Asterisk server to an agent homed on another. On real Asterisk a
 * channel cannot be bridged across servers, so the agent's server calls the customer's server
 * over the PJSIP trunk (deploy/asterisk/pjsip-fleet.conf): the trunk leg `<callId>-x`, originated
 * on the agent's server into the app, joins the agent's bridge once answered; on the customer's
 * server the call arrives in `fleet-in` as extension `x-<callId>`, whose Stasis(dialer,fleet,...)
 * the ARI worker puts in the crossing bridge `x-<callId>` (ari-worker-calls.ts); the customer is
 * moved into that bridge last, so call.bridged means the agent can hear the customer.
 */
export class FleetTrunkCrossing implements FleetCrossing {
  constructor(private readonly d: FleetTrunkDeps) {}

  async connect(c: Crossing): Promise<CrossingResult> {
    const near = this.d.ari(c.callServerId);
    const far = this.d.ari(c.agentServerId);
    const bridgeId = crossBridgeId(c.callId);
    const legId = crossLegId(c.callId);
    const endpoint = this.d.trunkDial(c.agentServerId, c.callServerId, bridgeId);
    if (!near || !far || !endpoint) return 'trunk_failed';
    const timeoutMs = this.d.answerTimeoutMs ?? 5_000;
    try {
      await far.originate({
        endpoint,
        channelId: legId,
        app: this.d.app,
        appArgs: `${FLEET_LEG_ARG},${c.callId}`,
        timeoutS: Math.ceil(timeoutMs / 1000) + 1,
      });
      await addWhenAnswered(far, c.agentBridgeId, legId, {
        timeoutMs,
        retryMs: this.d.retryMs ?? 20,
        hangup: () => far.hangup(legId),
      });
    } catch (err) {
      if (isAriError(err) && err.subject === 'bridge') return 'agent_bridge_gone';
      this.d.logger.warn(
        { err, callId: c.callId, from: c.agentServerId, to: c.callServerId },
        'trunk call between the servers failed',
      );
      return 'trunk_failed';
    }
    try {
      await near.createBridge(bridgeId, 'mixing', bridgeId).catch(ignoreAriConflict);
      if (c.fromHolding) await near.removeChannel(c.fromHolding, c.callId).catch(() => undefined);
      await near.addChannel(bridgeId, c.callId);
    } catch (err) {
      this.d.logger.info({ err, callId: c.callId }, 'customer left before the crossing');
      await this.release(c);
      return 'customer_gone';
    }
    return 'ok';
  }

  async release(c: Pick<Crossing, 'callId' | 'callServerId' | 'agentServerId'>): Promise<void> {
    // The trunk leg's hang-up reaches the customer's server as a BYE; the bridge goes with it.
    await this.d
      .ari(c.agentServerId)
      ?.hangup(crossLegId(c.callId))
      .catch(() => undefined);
    await this.d
      .ari(c.callServerId)
      ?.destroyBridge(crossBridgeId(c.callId))
      .catch(() => undefined);
  }
}
