/**
 * The Asterisk fleet (pure): which server an agent is homed on for its shift, which server a
 * campaign's next call is placed on, and which ready agent a live answer goes to. Nothing here
 * reads the clock or talks to a server; services/telephony/fleet-homing.ts and the dialer run it.
 */

/** One Asterisk server as the fleet rules see it. */
export interface FleetServer {
  id: string;
  /** Reachable now (the ARI worker's health; a server that is down gets no agents or calls). */
  up: boolean;
  /**
   * How many agents the server should carry, relative to the others (ARI_MAX_CALLS is used:
   * channels, CPU for AMD). Only the ratio between servers matters; must be > 0 to get agents.
   */
  capacity: number;
}

/**
 * The server to home one more agent on: the one that is up with the fewest homed agents per unit
 * of capacity; ties go to the server listed first (ARI_URL order). Null: no server is up.
 */
export function chooseHome(
  servers: readonly FleetServer[],
  homed: ReadonlyMap<string, number>,
): string | null {
  let best: FleetServer | null = null;
  let bestLoad = Infinity;
  for (const s of servers) {
    if (!s.up || s.capacity <= 0) continue;
    const load = (homed.get(s.id) ?? 0) / s.capacity;
    if (load < bestLoad) {
      best = s;
      bestLoad = load;
    }
  }
  return best?.id ?? null;
}

/**
 * Homes for agents that lost theirs (their server went down), one after the other so that they
 * spread over the servers left in proportion to capacity. `homed` is counted before the move and
 * should not count the agents being moved. Agents with no server left are absent from the result.
 */
export function rehome(
  agentIds: readonly string[],
  servers: readonly FleetServer[],
  homed: ReadonlyMap<string, number>,
): Map<string, string> {
  const counts = new Map(homed);
  const out = new Map<string, string>();
  for (const agentId of agentIds) {
    const to = chooseHome(servers, counts);
    if (!to) break;
    out.set(agentId, to);
    counts.set(to, (counts.get(to) ?? 0) + 1);
  }
  return out;
}

/**
 * Where a campaign's calls go: smooth weighted round robin over the servers that are up and have
 * a free line, weighted by the campaign's READY agents homed on each (so a server with twice the
 * ready agents gets twice the calls, interleaved rather than in runs). The state is the
 * round robin's running credit per server; keep one per campaign.
 */
export interface PlacementState {
  credit: Map<string, number>;
}

export function newPlacement(): PlacementState {
  return { credit: new Map() };
}

export interface PlacementServer {
  id: string;
  /** Up and below its call cap. */
  open: boolean;
}

/**
 * The server for the campaign's next call, or null when no server is open. `readyByServer`:
 * the campaign's READY agents per home server. With no ready agent on any open server (a
 * campaign dialing ahead of its agents, or agents not homed yet) every open server weighs 1.
 * Mutates `state` (the credit), so call it once per placed call.
 */
export function placeCall(
  state: PlacementState,
  servers: readonly PlacementServer[],
  readyByServer: ReadonlyMap<string, number>,
): string | null {
  const open = servers.filter((s) => s.open);
  if (open.length === 0) return null;
  const weights = open.map((s) => Math.max(0, readyByServer.get(s.id) ?? 0));
  const total = weights.reduce((a, b) => a + b, 0);
  const w = total > 0 ? weights : open.map(() => 1);
  const sum = total > 0 ? total : open.length;
  let best = -1;
  let bestCredit = -Infinity;
  open.forEach((s, i) => {
    const c = (state.credit.get(s.id) ?? 0) + (w[i] as number);
    state.credit.set(s.id, c);
    if (c > bestCredit) {
      best = i;
      bestCredit = c;
    }
  });
  // A server not open this time keeps no credit: it starts level when it opens again.
  for (const id of [...state.credit.keys()]) {
    if (!open.some((s) => s.id === id)) state.credit.delete(id);
  }
  const chosen = open[best] as PlacementServer;
  state.credit.set(chosen.id, bestCredit - sum);
  return chosen.id;
}

/** A READY agent as the hand-off sees it, longest-ready first. */
export interface ReadyCandidate {
  agentId: string;
  /** The agent's home server; null: not homed (counted as on the fleet's first server). */
  homeServerId: string | null;
}

export interface HandoffChoice {
  agentId: string;
  /** The agent is on another server than the customer: the call crosses on the trunk. */
  crosses: boolean;
  homeServerId: string;
}

/**
 * The agent a live answer on `callServerId` goes to: the longest-ready agent homed on the same
 * server, else the longest-ready agent anywhere (the call then crosses on the inter-server
 * trunk). `candidates` are longest-ready first; `defaultServerId` stands for an agent with no
 * home. An agent homed on a server in `down` (its ARI connection lost, not yet declared lost and
 * re-homed) is passed over: its phone leg is on a server nobody reaches, so a call crossing to it
 * would fail and wait out its drop deadline. Null: nobody reachable is ready.
 * (adapters/redis/lua/agent-reserve-near.lua runs the same rule atomically; the tests hold the
 * two equal.)
 */
export function chooseHandoff(
  candidates: readonly ReadyCandidate[],
  callServerId: string,
  defaultServerId: string,
  down: ReadonlySet<string> = new Set(),
): HandoffChoice | null {
  let first: HandoffChoice | null = null;
  for (const c of candidates) {
    const home = c.homeServerId ?? defaultServerId;
    if (down.has(home)) continue;
    if (home === callServerId) return { agentId: c.agentId, crosses: false, homeServerId: home };
    first ??= { agentId: c.agentId, crosses: true, homeServerId: home };
  }
  return first;
}

/**
 * Names of a crossing call's parts: the mixing bridge on the customer's server that holds the
 * customer and the trunk's inbound channel (also the extension dialed over the trunk, which
 * `fleet-in` hands to Stasis(dialer,fleet,<it>)), and the channel the agent's server originates
 * over the trunk into the agent's bridge.
 */
export const crossBridgeId = (callId: string): string => `x-${callId}`;
export const isCrossBridge = (bridgeId: string): boolean => bridgeId.startsWith('x-');
export const crossLegId = (callId: string): string => `${callId}-x`;

/** Context of the trunk's inbound calls on the customer's server (deploy/asterisk/extensions.conf). */
export const FLEET_IN_CONTEXT = 'fleet-in';

/**
 * The call a crossing's trunk channel carries, or null for any other channel: on the agent's
 * server the trunk leg `<callId>-x`, on the customer's server the trunk's inbound channel (its own
 * id, in context `fleet-in` at extension `x-<callId>`).
 */
export function crossedCallOf(channel: {
  id: string;
  dialplan?: { context: string; exten: string } | undefined;
}): string | null {
  if (channel.id.endsWith('-x') && channel.id.length > 2) return channel.id.slice(0, -2);
  const d = channel.dialplan;
  if (d?.context === FLEET_IN_CONTEXT && isCrossBridge(d.exten) && d.exten.length > 2)
    return d.exten.slice(2);
  return null;
}
