import type { CampaignId, ListId } from '@ringside/protocol';
import { dialableTzKeys, windowClosesAtMs, zonesOfKey } from '../../domain/calling-window.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { Hopper, HopperCampaign, HopperEntry, HopperSource } from '../../ports/hopper.js';
import {
  checkStateRules,
  stateWindowClosesAtMs,
  statesOfLead,
  type StateRuleSet,
} from '../../domain/state-rules.js';

/** How long the dialable tz_keys of a campaign are reused (ms). */
const DIALABLE_CACHE_MS = 5_000;

export interface HopperFillerDeps {
  source: Pick<
    HopperSource,
    'activeCampaigns' | 'tzKeys' | 'take' | 'clearMarks' | 'clearCampaignMarks' | 'defer'
  >;
  /**
   * The state calling rules in memory (StateRulesCache): a lead a state's window keeps from being
   * dialed now is deferred instead of queued, and a queued lead leaves the hopper when the first
   * applicable state window closes. Absent: only the federal window applies here (the dialer
   * still checks the state rules at dial time).
   */
  stateRules?: { rules(): StateRuleSet };
  hopper: Hopper;
  clock: Clock;
  logger?: Logger;
  /** How long a campaign's list of tz_keys is reused before it is read again (ms). */
  tzKeysTtlMs?: number;
  /**
   * Counts the campaign's due leads outside the hopper for the supervisors' header (SQL here,
   * in the scheduler, never on the live path) and keeps the count in Redis with the hopper.
   */
  dialable?: {
    counter: { count(listIds: ListId[], tzKeys: string[], at: Date): Promise<number> };
    store: {
      putDialable(campaignId: CampaignId, c: { count: number; atMs: number }): Promise<void>;
    };
    /** Least time between two counts of one campaign (ms, default 30,000). */
    everyMs?: number;
  };
}

export interface FillReport {
  campaignId: CampaignId;
  /** Expired leases put back in the hopper. */
  reclaimed: number;
  /** Entries removed because their calling window closed (their marks cleared). */
  removed: number;
  /** Leads taken from PostgreSQL and queued. */
  added: number;
  /** Queued after the fill. */
  size: number;
}

/**
 * Keeps each active campaign's hopper at its configured size: returns expired leases, removes
 * leads whose window closed (clearing their hopper_at so a later fill may take them again), then
 * takes the missing number of eligible leads from PostgreSQL. Safe to run concurrently (the
 * take is SKIP LOCKED and marks what it takes), but the scheduler runs one at a time so that
 * two fills do not both top up the same hopper.
 */
export class HopperFiller {
  private readonly tzKeysCache = new Map<CampaignId, { keys: string[]; atMs: number }>();
  private readonly dialableCache = new Map<
    CampaignId,
    { closes: Map<string, number>; fromMs: number; untilMs: number }
  >();
  private readonly ttlMs: number;
  /** When each campaign's dialable leads were last counted (ms). */
  private readonly countedAt = new Map<CampaignId, number>();

  constructor(private readonly d: HopperFillerDeps) {
    this.ttlMs = d.tzKeysTtlMs ?? 60_000;
  }

  /** Fills every active campaign; one campaign's failure does not stop the others. */
  async fillAll(): Promise<FillReport[]> {
    const out: FillReport[] = [];
    for (const c of await this.d.source.activeCampaigns()) {
      try {
        out.push(await this.fillCampaign(c));
      } catch (err) {
        this.d.logger?.error({ err, campaignId: c.id }, 'hopper fill failed');
      }
    }
    return out;
  }

  /** Fills one campaign by id; null when it is not active. */
  async fillById(campaignId: CampaignId): Promise<FillReport | null> {
    const c = (await this.d.source.activeCampaigns()).find((x) => x.id === campaignId);
    return c ? this.fillCampaign(c) : null;
  }

  async fillCampaign(c: HopperCampaign): Promise<FillReport> {
    const nowMs = this.d.clock.nowMs();
    // Issued together: on one Redis connection they travel in one round trip and still run in
    // this order (reclaimed leads whose window closed are removed in the same pass).
    const [reclaimed, removed, sizeBefore] = await Promise.all([
      this.d.hopper.reclaimExpired(c.id, nowMs),
      this.d.hopper.removeClosed(c.id, nowMs),
      this.d.hopper.size(c.id),
    ]);
    if (removed.length > 0) await this.d.source.clearMarks(removed.map((e) => e.leadId));

    const need = c.hopperSize - sizeBefore;
    let added = 0;
    if (need > 0) {
      const closes = await this.dialable(c, nowMs);
      const taken = await this.d.source.take(c, [...closes.keys()], need, new Date(nowMs));
      const rules = this.d.stateRules?.rules();
      const entries: HopperEntry[] = [];
      const deferred: Array<{ leadId: HopperEntry['leadId']; untilMs: number }> = [];
      for (const t of taken) {
        const timeZones = t.tzCandidates.length > 0 ? t.tzCandidates : zonesOfKey(t.tzKey);
        const states = statesOfLead(t);
        let windowClosesAtMs = closes.get(t.tzKey) ?? nowMs;
        if (rules) {
          const v = checkStateRules({
            rules,
            states,
            zones: timeZones,
            atMs: nowMs,
            attemptsAtMs: null,
          });
          if (!v.ok) {
            deferred.push({ leadId: t.leadId, untilMs: v.retryAtMs ?? nowMs + 24 * 3_600_000 });
            continue;
          }
          windowClosesAtMs = Math.min(
            windowClosesAtMs,
            stateWindowClosesAtMs(rules, states, timeZones, nowMs),
          );
        }
        entries.push({
          leadId: t.leadId,
          listId: t.listId,
          campaignId: c.id,
          phone: t.phone,
          timeZones,
          priority: t.priority,
          attempts: t.attempts,
          windowClosesAtMs,
          states,
        });
      }
      if (deferred.length > 0) await this.d.source.defer(deferred);
      try {
        added = await this.d.hopper.add(c.id, entries);
      } catch (err) {
        // Not in Redis: give the leads back so the next fill can take them.
        await this.d.source.clearMarks(entries.map((e) => e.leadId)).catch(() => undefined);
        throw err;
      }
    }
    const report = {
      campaignId: c.id,
      reclaimed: reclaimed.length,
      removed: removed.length,
      added,
      // Dialers may have popped meanwhile: an upper bound, for logs and tests.
      size: sizeBefore + added,
    };
    if (report.reclaimed || report.removed || report.added) {
      this.d.logger?.debug(report, 'hopper filled');
    }
    await this.countDialable(c, nowMs);
    return report;
  }

  /** The supervisors' count of due leads; a failure costs the count, never the fill. */
  private async countDialable(c: HopperCampaign, nowMs: number): Promise<void> {
    const d = this.d.dialable;
    if (!d) return;
    const last = this.countedAt.get(c.id);
    if (last !== undefined && nowMs - last < (d.everyMs ?? 30_000)) return;
    this.countedAt.set(c.id, nowMs);
    try {
      const closes = await this.dialable(c, nowMs);
      const count = await d.counter.count(c.listIds, [...closes.keys()], new Date(nowMs));
      await d.store.putDialable(c.id, { count, atMs: nowMs });
    } catch (err) {
      this.d.logger?.warn({ err, campaignId: c.id }, 'dialable leads not counted');
    }
  }

  /** Empties a campaign's hopper and clears its marks (campaign stopped). */
  async drain(campaignId: CampaignId): Promise<void> {
    await this.d.hopper.clear(campaignId);
    await this.d.source.clearCampaignMarks(campaignId);
    this.tzKeysCache.delete(campaignId);
    this.dialableCache.delete(campaignId);
  }

  /** Forgets cached tz_keys (after an import added leads in new zones). */
  forgetTzKeys(campaignId?: CampaignId): void {
    if (campaignId) {
      this.tzKeysCache.delete(campaignId);
      this.dialableCache.delete(campaignId);
    } else {
      this.tzKeysCache.clear();
      this.dialableCache.clear();
    }
  }

  private async tzKeys(c: HopperCampaign, nowMs: number): Promise<string[]> {
    const hit = this.tzKeysCache.get(c.id);
    if (hit && nowMs - hit.atMs < this.ttlMs) return hit.keys;
    const keys = await this.d.source.tzKeys(c.listIds);
    this.tzKeysCache.set(c.id, { keys, atMs: nowMs });
    return keys;
  }

  /**
   * The tz_keys dialable now, each with when its window closes. Reused for up to
   * DIALABLE_CACHE_MS, and never past the earliest closing among them, so a key is never
   * offered after its window closed (one that opened meanwhile waits at most that long).
   */
  private async dialable(c: HopperCampaign, nowMs: number): Promise<Map<string, number>> {
    const hit = this.dialableCache.get(c.id);
    if (hit && nowMs >= hit.fromMs && nowMs < hit.untilMs) return hit.closes;
    const keys = await this.tzKeys(c, nowMs);
    const closes = new Map<string, number>();
    for (const k of dialableTzKeys(keys, c.window, nowMs)) {
      const at = windowClosesAtMs(zonesOfKey(k), c.window, nowMs);
      if (at !== null) closes.set(k, at);
    }
    const untilMs = Math.min(nowMs + DIALABLE_CACHE_MS, ...closes.values());
    this.dialableCache.set(c.id, { closes, fromMs: nowMs, untilMs });
    return closes;
  }
}
