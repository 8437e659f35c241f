import { DialerStatusChanged, type CampaignId } from '@ringside/protocol';
import { zeroKpiSums, type KpiSums } from '../../domain/kpi/index.js';
import {
  DAY_MS,
  LIVE_STATUS_MAX_AGE_MS,
  type CampaignLive,
  type DialableCount,
} from '../../ports/dialer.js';
import { DialerRedisStore } from './dialer-state.js';

const KPI_FIELDS: ReadonlyArray<keyof KpiSums> = [
  'handledCalls',
  'talkMs',
  'wrapMs',
  'connectedCalls',
  'answerWaitMs',
  'waitMs',
  'inCallMs',
];
/** Optional sums (KpiSums): left out of `kpi()` when nothing was counted. */
const OPTIONAL_FIELDS: ReadonlySet<keyof KpiSums> = new Set(['waitMs', 'inCallMs']);

/** The filler's count is kept this long without a recount (ms). */
const DIALABLE_TTL_MS = 10 * 60_000;

/** KPI sums of a day are kept two days (ms). */
const KPI_TTL_MS = 2 * DAY_MS;

/**
 * Redis side of the campaign's live figures: the dialable-lead count (written by the scheduler's
 * filler), the last published status per campaign (for snapshots) and the KPI sums. Keys:
 * adapters/redis/keys.ts (`hopperDialable`, `dialerLive`, `campaignKpi`).
 */
export class CampaignLiveStore extends DialerRedisStore implements CampaignLive {
  async putDialable(campaignId: CampaignId, c: DialableCount): Promise<void> {
    await this.redis.set(
      this.keys.hopperDialable(campaignId),
      JSON.stringify(c),
      'PX',
      DIALABLE_TTL_MS,
    );
  }

  async getDialable(campaignId: CampaignId): Promise<DialableCount | null> {
    const raw = await this.redis.get(this.keys.hopperDialable(campaignId));
    if (raw === null) return null;
    const v = JSON.parse(raw) as Partial<DialableCount>;
    return typeof v.count === 'number' && typeof v.atMs === 'number'
      ? { count: v.count, atMs: v.atMs }
      : null;
  }

  /** Keeps the campaign's last status; `refreshedAtMs` says its dialer is still there. */
  async putLive(e: DialerStatusChanged, refreshedAtMs: number): Promise<void> {
    await this.redis.hset(this.keys.dialerLive, e.campaignId, JSON.stringify({ e, refreshedAtMs }));
  }

  /** The statuses refreshed within `maxAgeMs` of `nowMs`; stale ones are removed. */
  async listLive(
    nowMs: number,
    maxAgeMs = LIVE_STATUS_MAX_AGE_MS,
    campaignId?: CampaignId,
  ): Promise<DialerStatusChanged[]> {
    const all = await this.redis.hgetall(this.keys.dialerLive);
    const out: DialerStatusChanged[] = [];
    const stale: string[] = [];
    for (const [id, raw] of Object.entries(all)) {
      let parsed: { e: unknown; refreshedAtMs: unknown } | null = null;
      try {
        parsed = JSON.parse(raw) as { e: unknown; refreshedAtMs: unknown };
      } catch {
        parsed = null;
      }
      const ev = parsed ? DialerStatusChanged.safeParse(parsed.e) : null;
      const at = typeof parsed?.refreshedAtMs === 'number' ? parsed.refreshedAtMs : 0;
      if (!ev?.success || nowMs - at > maxAgeMs) {
        stale.push(id);
        continue;
      }
      if (campaignId === undefined || ev.data.campaignId === campaignId) out.push(ev.data);
    }
    if (stale.length > 0) await this.redis.hdel(this.keys.dialerLive, ...stale);
    return out.sort((a, b) => Number(a.campaignId) - Number(b.campaignId));
  }

  /** Adds to the day's sums once per (stream, seq); true when this call applied it. */
  async addKpi(
    campaignId: CampaignId,
    day: number,
    stream: string,
    seq: number,
    add: Partial<KpiSums>,
  ): Promise<boolean> {
    const pairs: Array<string | number> = [];
    for (const f of KPI_FIELDS) {
      const v = add[f];
      if (v) pairs.push(f, Math.round(v));
    }
    if (pairs.length === 0) return false;
    const r = await this.scripts.dialerKpiApply(
      [this.keys.campaignKpi(campaignId, day)],
      [stream, seq, KPI_TTL_MS, ...pairs],
    );
    return Number(r) === 1;
  }

  /**
   * Adds whole sums to a day's figures, with no event mark (the rebuild from PostgreSQL after
   * Redis lost them: state-rebuild.ts).
   */
  async addKpiTotals(campaignId: CampaignId, day: number, sums: KpiSums): Promise<void> {
    const pairs: Array<string | number> = [];
    for (const f of KPI_FIELDS) if (sums[f]) pairs.push(f, Math.round(sums[f]));
    await this.scripts.dialerKpiTotals(
      [this.keys.campaignKpi(campaignId, day)],
      [KPI_TTL_MS, ...pairs],
    );
  }

  async kpi(campaignId: CampaignId, day: number): Promise<KpiSums> {
    const h = await this.redis.hgetall(this.keys.campaignKpi(campaignId, day));
    const out = zeroKpiSums();
    for (const f of KPI_FIELDS) {
      if (OPTIONAL_FIELDS.has(f) && h[f] === undefined) continue;
      out[f] = Number(h[f] ?? 0);
    }
    return out;
  }
}
