import {
  zoneOffsetMs,
  type AgentId,
  type DispositionView,
  type MyDayResponse,
} from '@ringside/protocol';
import { ValidationError } from '../../errors.js';
import type { AgentDeskReads } from '../../ports/agents.js';
import type { Clock } from '../../ports/clock.js';
import type { PauseCodesRepo } from '../../ports/dispositions.js';
import type { StateStore } from '../../ports/state-store.js';

/** Dispositions are ranked by their use over this many days. */
export const USAGE_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * The first instant (epoch ms) of the day that contains `atMs` in `zone` (IANA). Throws a
 * ValidationError naming `tz` for an unknown zone.
 */
export function dayStartMs(zone: string, atMs: number): number {
  let off: number;
  try {
    off = zoneOffsetMs(atMs, zone);
  } catch {
    throw new ValidationError(`tz: ${zone} is not a known time zone`, [
      { path: 'tz', message: 'must be an IANA time zone such as America/Chicago' },
    ]);
  }
  const local = atMs + off;
  const midnightLocal = local - (((local % DAY_MS) + DAY_MS) % DAY_MS);
  // The offset at midnight may differ from now's (a DST change during the day): ask again.
  const guess = midnightLocal - off;
  return midnightLocal - zoneOffsetMs(guess, zone);
}

/**
 * Orders a campaign's dispositions most used first (uses over the last 30 days), keeping the
 * display order among equals (a stable sort), and tells each one's count.
 */
export function byUsage<T extends DispositionView>(
  list: ReadonlyArray<T>,
  usage: ReadonlyMap<string, number>,
): Array<T & { uses30d: number }> {
  return list
    .map((d, i) => ({ d: { ...d, uses30d: usage.get(d.code) ?? 0 }, i }))
    .sort((a, b) => b.d.uses30d - a.d.uses30d || a.i - b.i)
    .map((x) => x.d);
}

export interface AgentDeskDeps {
  reads: AgentDeskReads;
  store: StateStore;
  pauseCodes: Pick<PauseCodesRepo, 'forCampaign'>;
  clock: Clock;
}

/**
 * The agent's desk beside the call: its own day (calls, talk, handle time, sales, pauses against
 * their daily limits) and the campaign's dispositions most used first. Reads only.
 */
export class AgentDesk {
  constructor(private readonly d: AgentDeskDeps) {}

  /** Usage of each disposition code on the campaign's calls of the last 30 days. */
  dispositionUsage(campaignId: string): Promise<Map<string, number>> {
    return this.d.reads.dispositionUsage(
      campaignId,
      this.d.clock.nowMs() - USAGE_WINDOW_DAYS * DAY_MS,
    );
  }

  /**
   * The agent's day so far in `zone` (the floor's: the panel sends the browser's zone). A pause
   * in progress counts up to now; the pause codes listed are the campaign's (with their daily
   * limits) and any other code used today.
   */
  async myDay(agentId: AgentId, zone: string): Promise<MyDayResponse> {
    const now = this.d.clock.nowMs();
    const from = dayStartMs(zone, now);
    const fig = await this.d.reads.agentDay(agentId, from, now);
    const agent = await this.d.store.getAgent(agentId);
    const codes = agent?.campaignId ? await this.d.pauseCodes.forCampaign(agent.campaignId) : [];
    const used = new Map<string, number>();
    for (const p of fig.pauses) used.set(p.code, (used.get(p.code) ?? 0) + p.usedMs);
    if (agent?.state === 'PAUSED' && agent.pauseCode) {
      const open = Math.max(0, now - Math.max(agent.sinceMs, from));
      used.set(agent.pauseCode, (used.get(agent.pauseCode) ?? 0) + open);
    }
    const pauses: MyDayResponse['pauses'] = codes.map((c) => ({
      code: c.code,
      name: c.name,
      usedMs: Math.round(used.get(c.code) ?? 0),
      limitMin: c.dailyLimitMin ?? null,
    }));
    for (const [code, ms] of used) {
      if (!codes.some((c) => c.code === code) && ms > 0) {
        pauses.push({ code, name: code, usedMs: Math.round(ms), limitMin: null });
      }
    }
    const handled = fig.talkMs + fig.wrapMs;
    return {
      dayStartMs: from,
      timeZone: zone,
      calls: fig.calls,
      talkMs: Math.round(fig.talkMs),
      avgHandleMs: fig.calls > 0 ? Math.round(handled / fig.calls) : 0,
      sales: fig.sales,
      pauses,
      atMs: now,
    };
  }
}
