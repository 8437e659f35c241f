import type { AgentId } from '@ringside/protocol';
import type { Logger } from '../../logger.js';
import type { AgentPresence, AgentSessionApi } from '../../ports/agents.js';
import type { Clock } from '../../ports/clock.js';
import type { StateStore } from '../../ports/state-store.js';

/** The reason recorded when an agent whose socket and heartbeat are gone is paused. */
export const HEARTBEAT_LOST_REASON = 'system:heartbeat-lost';

/** Defaults (ms) of the WebSocket heartbeat and of the loss that pauses an agent. */
export const PRESENCE_DEFAULTS = {
  heartbeatMs: 10_000,
  agentLossMs: 30_000,
  lossPauseCode: 'SYSTEM',
} as const;

export interface AgentPresenceDeps {
  store: Pick<StateStore, 'getAgent' | 'listAgents'>;
  sessions: Pick<AgentSessionApi, 'pause'>;
  /** Liveness shared by every api process; absent: this process judges by its own sockets. */
  presence?: AgentPresence;
  clock: Clock;
  logger: Logger;
  /** The server's heartbeat period (ms). */
  heartbeatMs: number;
  /** An agent with no socket and no heartbeat for this long is paused (ms). */
  lossMs: number;
  /** The pause code of such a pause. */
  lossPauseCode: string;
}

interface Tracked {
  /** Open sockets of the agent on this process. */
  sockets: number;
  /** Last time the shared presence was refreshed (ms), to refresh at most twice per heartbeat. */
  touchedAtMs: number;
  /** When the agent's last socket went away (or went silent); null while connected. */
  lostSinceMs: number | null;
}

/**
 * Agents' presence on this api process's sockets, and the rule on a lost agent: an agent READY
 * with no socket and no heartbeat for `lossMs` (here, and on no other api process) is paused with
 * `lossPauseCode`, since the dialer would otherwise offer it calls nobody answers. An agent on a
 * call or in wrap-up keeps its state. The WebSocket gateway (ws/gateway.ts) reports sockets and
 * heartbeats; sweep() applies the rule.
 */
export class AgentPresenceTracker {
  private readonly agents = new Map<AgentId, Tracked>();
  private pausedCount = 0;
  /** READY agents no api process has heard from, and since when this process saw them so. */
  private readonly orphans = new Map<AgentId, number>();
  private lastOrphanScanMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly d: AgentPresenceDeps) {}

  /** Agents paused by the rule so far. */
  get pauses(): number {
    return this.pausedCount;
  }

  /** A socket of the agent opened at `atMs`. */
  connected(agentId: AgentId, atMs: number): void {
    let t = this.agents.get(agentId);
    if (!t) {
      t = { sockets: 0, lostSinceMs: null, touchedAtMs: 0 };
      this.agents.set(agentId, t);
    }
    t.sockets++;
    t.lostSinceMs = null;
    this.heard(agentId, atMs);
  }

  /** The agent sent something at `atMs`: shares its liveness with the other api processes. */
  heard(agentId: AgentId, atMs: number): void {
    const t = this.agents.get(agentId);
    if (!this.d.presence || !t || atMs - t.touchedAtMs < this.d.heartbeatMs / 2) return;
    t.touchedAtMs = atMs;
    this.d.presence
      .touch(agentId, this.d.lossMs)
      .catch((err: unknown) => this.d.logger.warn({ err }, 'presence update failed'));
  }

  /** A socket of the agent closed; it was last heard at `lastSeenMs`. */
  disconnected(agentId: AgentId, lastSeenMs: number): void {
    const t = this.agents.get(agentId);
    if (!t) return;
    t.sockets = Math.max(0, t.sockets - 1);
    if (t.sockets === 0) {
      // The heartbeat was alive until its last message; the loss clock starts from then.
      t.lostSinceMs = Math.min(this.d.clock.nowMs(), lastSeenMs + this.d.heartbeatMs);
    }
  }

  /** Pauses the agents lost for longer than the loss time (see the class). */
  async sweep(): Promise<void> {
    await this.sweepOwn();
    await this.sweepOrphans();
  }

  private async sweepOwn(): Promise<void> {
    const now = this.d.clock.nowMs();
    for (const [agentId, t] of this.agents) {
      if (t.sockets > 0 || t.lostSinceMs === null) continue;
      if (now - t.lostSinceMs < this.d.lossMs) continue;
      try {
        if ((await this.pauseLost(agentId)) === 'elsewhere') {
          t.lostSinceMs = this.d.clock.nowMs();
          continue;
        }
        // Reconnected here while the state was being read: keep watching that socket.
        if (t.sockets === 0) this.agents.delete(agentId);
      } catch (err) {
        if (t.sockets === 0) this.agents.delete(agentId);
        // The agent may have moved on (IllegalTransition) or Redis failed; log, do not retry.
        this.d.logger.warn({ err, agentId }, 'could not pause lost agent');
      }
    }
  }

  /**
   * Agents whose api process died (kill -9, a lost machine) took its watchdog with them: a READY
   * agent that no api process has heard from (the shared presence expired, so nothing for the loss
   * time) and that has no socket here, seen so on two scans a heartbeat apart, is paused by
   * whichever api process looks first (a compare-and-set: the others find it PAUSED). At most one
   * scan per heartbeat; only with the shared presence (several api processes).
   */
  private async sweepOrphans(): Promise<void> {
    const now = this.d.clock.nowMs();
    if (!this.d.presence || now - this.lastOrphanScanMs < this.d.heartbeatMs) return;
    this.lastOrphanScanMs = now;
    const seen = new Set<AgentId>();
    for (const a of await this.d.store.listAgents()) {
      if (a.state !== 'READY' || this.agents.has(a.agentId)) continue;
      // Just turned READY: its socket may not have been heard yet.
      if (now - a.sinceMs < this.d.lossMs) continue;
      seen.add(a.agentId);
      try {
        if (await this.d.presence.isPresent(a.agentId)) {
          seen.delete(a.agentId);
          continue;
        }
        const since = this.orphans.get(a.agentId);
        if (since === undefined) {
          this.orphans.set(a.agentId, now);
          continue;
        }
        if (now - since < this.d.heartbeatMs) continue;
        if ((await this.pauseLost(a.agentId)) === 'done') seen.delete(a.agentId);
      } catch (err) {
        seen.delete(a.agentId);
        this.d.logger.warn({ err, agentId: a.agentId }, 'could not pause lost agent');
      }
    }
    for (const id of [...this.orphans.keys()]) if (!seen.has(id)) this.orphans.delete(id);
  }

  /** 'elsewhere': the agent is alive on another api process; look again after another loss time. */
  private async pauseLost(agentId: AgentId): Promise<'done' | 'elsewhere'> {
    const status = await this.d.store.getAgent(agentId);
    // Only a READY agent could be offered a call; one in a call or wrap-up keeps its state.
    if (status?.state !== 'READY') return 'done';
    if (this.d.presence && (await this.d.presence.isPresent(agentId))) return 'elsewhere';
    await this.d.sessions.pause(agentId, this.d.lossPauseCode, HEARTBEAT_LOST_REASON);
    this.pausedCount++;
    this.d.logger.info({ agentId }, 'agent paused: socket and heartbeat lost');
    return 'done';
  }
}
