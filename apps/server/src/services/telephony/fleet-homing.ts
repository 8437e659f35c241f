import type { AgentId, CampaignId } from '@ringside/protocol';
import { chooseHome, rehome, type FleetServer } from '../../domain/fleet.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { AgentHomes } from '../../ports/fleet.js';
import type { AgentStatus, StateStore } from '../../ports/state-store.js';

export interface FleetHomingDeps {
  homes: AgentHomes;
  /** The fleet's servers as now known: up or down, capacity (ARI_URL order). */
  servers(): FleetServer[];
  clock: Clock;
  logger: Logger;
}

/**
 * Homes agents on the Asterisk servers of a fleet (docs/telephony.md, "Asterisk fleet"): at the
 * agent's first need of a phone line in a shift it gets the least-loaded server that is up
 * (domain/fleet.ts chooseHome), kept for the shift; when its server goes down for good it is
 * moved (`rehomeFrom`). Each change is one agent.homed event, written with the home.
 */
export class FleetHoming {
  constructor(private readonly d: FleetHomingDeps) {}

  /**
   * The agent's home: the one it has while that server is known and up, else a new one (null:
   * no server is up). A home on a server that is down is moved now (`server_lost`).
   */
  async home(agentId: AgentId): Promise<string | null> {
    const servers = this.d.servers();
    const current = await this.d.homes.get(agentId);
    const there = current ? servers.find((s) => s.id === current) : undefined;
    if (current && there?.up) return current;
    const counts = await this.counts(agentId);
    const to = chooseHome(servers, counts);
    if (!to) return current;
    await this.d.homes.set({
      type: 'agent.homed',
      agentId,
      serverId: to,
      previousServerId: current,
      reason: current ? 'server_lost' : 'login',
      atMs: this.d.clock.nowMs(),
    });
    this.d.logger.info({ agentId, serverId: to, previous: current }, 'agent homed');
    return to;
  }

  /** The agent's home as recorded, without choosing one. */
  homeOf(agentId: AgentId): Promise<string | null> {
    return this.d.homes.get(agentId);
  }

  /** The agent's shift is over (logout): its home is forgotten. */
  async forget(agentId: AgentId): Promise<void> {
    await this.d.homes.clear(agentId);
  }

  /**
   * Server `serverId` is lost: every agent homed there moves to the servers left, spread by
   * capacity (domain/fleet.ts rehome), one agent.homed `server_lost` each. Returns the moves.
   */
  async rehomeFrom(serverId: string): Promise<Map<AgentId, string>> {
    const all = await this.d.homes.all();
    const moving: AgentId[] = [];
    const counts = new Map<string, number>();
    for (const [agentId, home] of all) {
      if (home === serverId) moving.push(agentId);
      else counts.set(home, (counts.get(home) ?? 0) + 1);
    }
    const servers = this.d.servers().map((s) => (s.id === serverId ? { ...s, up: false } : s));
    const moves = rehome(moving.sort(), servers, counts) as Map<AgentId, string>;
    const atMs = this.d.clock.nowMs();
    for (const [agentId, to] of moves) {
      await this.d.homes.set({
        type: 'agent.homed',
        agentId,
        serverId: to,
        previousServerId: serverId,
        reason: 'server_lost',
        atMs,
      });
    }
    if (moving.length > 0) {
      this.d.logger.warn(
        { serverId, moved: moves.size, stranded: moving.length - moves.size },
        'asterisk server lost: its agents were re-homed',
      );
    }
    return moves;
  }

  private async counts(except: AgentId): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const [agentId, home] of await this.d.homes.all()) {
      if (agentId !== except) counts.set(home, (counts.get(home) ?? 0) + 1);
    }
    return counts;
  }
}

/** States in which an agent takes the campaign's calls (everything but paused and logged out). */
const TAKING_CALLS: ReadonlySet<AgentStatus['state']> = new Set([
  'READY',
  'RESERVED',
  'INCALL',
  'DEAD',
  'WRAPUP',
]);

/**
 * The campaign's agents taking calls, counted per home server (an agent with no home counts on
 * `defaultServerId`): the weights the originator places the campaign's calls by. Agents on a
 * call count too, so the split stays steady while most are talking, as on a busy floor.
 */
export async function takingCallsByServer(
  store: Pick<StateStore, 'listAgents'>,
  homes: Pick<AgentHomes, 'homesOf'>,
  campaignId: CampaignId,
  defaultServerId: string,
): Promise<Map<string, number>> {
  const agents = (await store.listAgents(campaignId)).filter((a) => TAKING_CALLS.has(a.state));
  const where = await homes.homesOf(agents.map((a) => a.agentId));
  const out = new Map<string, number>();
  for (const h of where) {
    const s = h ?? defaultServerId;
    out.set(s, (out.get(s) ?? 0) + 1);
  }
  return out;
}
