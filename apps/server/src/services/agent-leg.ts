import { randomBytes } from 'node:crypto';
import type { AgentId } from '@ringside/protocol';
import { AriError } from '../adapters/asterisk/ari-error.js';
import { LEG_REASON } from '../domain/agent-state.js';
import type { Logger } from '../logger.js';
import type { StateStore } from '../ports/state-store.js';
import { agentBridgeId, type AgentLegHandler } from './ari-worker-calls.js';
import type { AgentCommands } from './dialer/ports.js';

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
}

export interface AgentLeg {
  bridgeId: string;
  legChannelId: string;
}

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
  constructor(private readonly d: AgentLegDeps) {}

  /**
   * Calls `endpoint` (e.g. PJSIP/agent7, or Local/<exten>@agents) and nails it up in the agent's
   * bridge. The agent must be logged in (any state). Throws AriError when the phone cannot be
   * reached or does not answer in time.
   */
  async attach(agentId: AgentId, endpoint: string): Promise<AgentLeg> {
    const bridgeId = agentBridgeId(agentId);
    const legChannelId = `leg-${agentId}-${randomBytes(4).toString('hex')}`;
    await this.ensureBridge(bridgeId);
    await this.d.ari.originate({
      endpoint,
      channelId: legChannelId,
      ...(endpoint.startsWith('Local/') ? { otherChannelId: `${legChannelId}-2` } : {}),
      app: this.d.app,
      appArgs: `${AGENT_LEG_ARG},${agentId}`,
      timeoutS: Math.ceil((this.d.answerTimeoutMs ?? 15_000) / 1000),
    });
    await this.addWhenAnswered(bridgeId, legChannelId);
    await this.record(agentId, { bridgeId, legChannelId });
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
      await this.record(agentId, { bridgeId: null, legChannelId: null });
    }
  }

  /**
   * The ARI worker's hook for a phone that dialed in (StasisStart ["agent", endpoint]): finds the
   * agent by its endpoint, nails the leg up in the agent's bridge and records it. An endpoint that
   * belongs to nobody logged in is left alone (its dialplan hangs it up when Stasis ends).
   */
  workerHandler(resolveAgent: (endpoint: string) => Promise<AgentId | null>): AgentLegHandler {
    return {
      onAgentLeg: async (leg, ari) => {
        const agentId = await resolveAgent(leg.endpoint);
        if (!agentId) {
          this.d.logger.warn({ channelId: leg.channelId }, 'phone leg of no logged-in agent');
          return;
        }
        const bridgeId = agentBridgeId(agentId);
        await ari.createBridge(bridgeId, 'mixing').catch(ignoreExists);
        await ari.addChannel(bridgeId, leg.channelId);
        await this.record(agentId, { bridgeId, legChannelId: leg.channelId });
      },
    };
  }

  private async ensureBridge(bridgeId: string): Promise<void> {
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
        const notYet = err instanceof AriError && (err.status === 409 || err.status === 422);
        if (!notYet || Date.now() >= deadline) {
          await this.d.ari.hangup(channelId).catch(() => undefined);
          throw err;
        }
      }
      await new Promise((r) => setTimeout(r, this.d.retryMs ?? 50));
    }
  }

  private async record(
    agentId: AgentId,
    leg: { bridgeId: string | null; legChannelId: string | null },
  ): Promise<void> {
    await this.d.agents.apply(agentId, { type: 'set_leg', ...leg }, LEG_REASON);
  }
}

function ignoreGone(err: unknown): void {
  if (err instanceof AriError && err.status === 404) return;
  throw err;
}

function ignoreExists(err: unknown): void {
  if (err instanceof AriError && err.status === 409) return;
  throw err;
}
