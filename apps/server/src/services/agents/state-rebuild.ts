import { randomUUID } from 'node:crypto';
import type { CampaignId } from '@ringside/protocol';
import type { Logger } from '../../logger.js';
import { REBUILD_REASON, type AgentSessionsReader, type BootSentinel } from '../../ports/agents.js';
import type { Clock } from '../../ports/clock.js';
import type { Hopper, HopperSource } from '../../ports/hopper.js';
import type { StateStore } from '../../ports/state-store.js';
import type { KpiSums } from '../../domain/kpi/index.js';
import { DAY_MS } from '../../ports/dialer.js';
import type { HopperFiller } from '../hopper/hopper-filler.js';

export interface StateRebuildDeps {
  /** Whether the state is complete, and the lock one rebuilding process holds. */
  sentinel: BootSentinel;
  store: StateStore;
  hopper: Hopper;
  source: Pick<HopperSource, 'activeCampaigns' | 'clearCampaignMarks'>;
  filler: Pick<HopperFiller, 'fillCampaign'>;
  agentLog: AgentSessionsReader;
  clock: Clock;
  logger?: Logger;
  /**
   * Today's KPI sums (the supervisors' AHT and ASA) from PostgreSQL, put back into Redis for the
   * active campaigns; absent: they restart from zero after a loss.
   */
  kpi?: {
    sumsOfWindow(
      campaignIds: readonly CampaignId[],
      fromMs: number,
      toMs: number,
    ): Promise<Map<CampaignId, KpiSums>>;
    addTotals(campaignId: CampaignId, day: number, sums: KpiSums): Promise<void>;
  };
  /** How long the rebuild lock is held at most (ms); another process takes over after. */
  lockMs?: number;
  /** How long ensure() waits for another process's rebuild (ms). */
  waitMs?: number;
}

export interface RebuildReport {
  agents: number;
  campaigns: number;
  marksCleared: number;
  leadsQueued: number;
  /** Campaigns whose KPI sums of today were put back (0 without `kpi`). */
  kpiCampaigns: number;
}

/**
 * Rebuilds Redis state from PostgreSQL after Redis lost its data. The boot sentinel key is set
 * once the state is complete; when it is missing (first start, or a Redis restart without
 * persistence), one process (SET NX lock) restores every agent that was not LOGGED_OUT from
 * agent_sessions, clears the hopper_at marks of leads no longer in a Redis hopper, and refills
 * the hoppers. Live calls are not restored here: the ARI worker reconciles them with Asterisk.
 */
export class StateRebuild {
  private readonly id = randomUUID();

  constructor(private readonly d: StateRebuildDeps) {}

  /**
   * Cheap when the sentinel exists (one EXISTS). Returns the report when this process rebuilt,
   * null when nothing was needed or another process did it.
   */
  async ensure(): Promise<RebuildReport | null> {
    const { sentinel } = this.d;
    if (await sentinel.isComplete()) return null;
    if (!(await sentinel.tryLock(this.id, this.d.lockMs ?? 60_000))) {
      await this.waitForSentinel();
      return null;
    }
    try {
      const report = await this.rebuild();
      await sentinel.complete({ at: this.d.clock.nowMs(), by: this.id, ...report });
      this.d.logger?.info(report, 'redis state rebuilt from postgresql');
      return report;
    } finally {
      await sentinel.unlock(this.id);
    }
  }

  /** The rebuild itself (ensure() decides when). Idempotent. */
  async rebuild(): Promise<RebuildReport> {
    let agents = 0;
    for (const s of await this.d.agentLog.activeSessions()) {
      if (await this.d.store.getAgent(s.agentId)) continue; // survived: Redis kept it
      const env = await this.d.store.transitionAgent(s, null, {
        type: 'agent.state_changed',
        agentId: s.agentId,
        campaignId: s.campaignId,
        from: 'LOGGED_OUT',
        to: s.state,
        pauseCode: s.pauseCode,
        callId: s.callId,
        reason: REBUILD_REASON,
        sinceMs: s.sinceMs,
        atMs: s.sinceMs,
      });
      if (env) agents += 1;
    }
    let marksCleared = 0;
    let leadsQueued = 0;
    const campaigns = await this.d.source.activeCampaigns();
    for (const c of campaigns) {
      const keep = (await this.d.hopper.entries(c.id)).map((e) => e.leadId);
      marksCleared += await this.d.source.clearCampaignMarks(c.id, keep);
      leadsQueued += (await this.d.filler.fillCampaign(c)).added;
    }
    let kpiCampaigns = 0;
    if (this.d.kpi) {
      // The day the live counting keys by (UTC days of the events' instants).
      const day = Math.floor(this.d.clock.nowMs() / DAY_MS);
      const sums = await this.d.kpi.sumsOfWindow(
        campaigns.map((c) => c.id),
        day * DAY_MS,
        (day + 1) * DAY_MS,
      );
      for (const [id, s] of sums) {
        await this.d.kpi.addTotals(id, day, s);
        kpiCampaigns += 1;
      }
    }
    return { agents, campaigns: campaigns.length, marksCleared, leadsQueued, kpiCampaigns };
  }

  private async waitForSentinel(): Promise<void> {
    // Counted in polls, not by the injected clock (a test's manual clock does not move).
    for (let i = 0; i < (this.d.waitMs ?? 60_000) / 100; i++) {
      if (await this.d.sentinel.isComplete()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    this.d.logger?.warn('waited for another process to rebuild redis state; going on');
  }
}
