import {
  DialerStatusChanged,
  DialMethod,
  type BusEnvelope,
  type CallId,
  type CampaignId,
  type DomainEvent,
} from '@ringside/protocol';
import { ahtMs, asaMs, occupancyOfSums, timeBucket, type KpiSums } from '../../domain/kpi/index.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { EventBus, Subscription } from '../../ports/event-bus.js';
import type { Hopper } from '../../ports/hopper.js';
import type { StateStore } from '../../ports/state-store.js';
import {
  DAY_MS,
  type CampaignLive,
  type DialerStatus,
  type StatusObserver,
} from '../../ports/dialer.js';

/**
 * The supervisors' view of each campaign's dialer, pushed rather than polled (docs/supervisor.md):
 * the driver hands every status it writes to a StatusObserver; the publisher adds the hopper size,
 * the filler's count of dialable leads and today's AHT / ASA, and publishes a `dialer.status`
 * domain event only when something a supervisor reads changed, at most once per second per
 * campaign. The last one of each campaign is kept in Redis for the gateway's snapshots
 * (ports/dialer.ts CampaignLive).
 */

export { DAY_MS, LIVE_STATUS_MAX_AGE_MS } from '../../ports/dialer.js';
export type { StatusObserver } from '../../ports/dialer.js';

/** What one event adds to one campaign's sums of one day. */
export interface KpiDelta {
  campaignId: CampaignId;
  day: number;
  add: Partial<KpiSums>;
}

interface CallMemo {
  campaignId: CampaignId | null;
  answeredAtMs: number | null;
  bridgedAtMs: number | null;
}

/** Calls remembered between their answer and their end; the oldest are forgotten beyond this. */
const MAX_CALLS = 100_000;

/**
 * Turns domain events into KPI sums (definitions in docs/kpi.md and domain/kpi): a call bridged
 * after its answer adds one connected call and its answer-to-agent wait (ASA); a bridged call that
 * ends adds one handled call and its talk (end - bridge); an agent leaving WRAPUP adds the wrap-up
 * to its campaign (AHT), leaving READY / RESERVED its wait, leaving INCALL / DEAD its talk
 * (occupancy). A call seen only from its middle is looked up in the state store.
 */
export class KpiTracker {
  private readonly calls = new Map<CallId, CallMemo>();

  constructor(
    private readonly lookup: (
      callId: CallId,
    ) => Promise<{ campaignId: CampaignId; answeredAtMs: number | null } | null>,
  ) {}

  private memo(callId: CallId): CallMemo {
    let m = this.calls.get(callId);
    if (!m) {
      m = { campaignId: null, answeredAtMs: null, bridgedAtMs: null };
      this.calls.set(callId, m);
      if (this.calls.size > MAX_CALLS) {
        const oldest = this.calls.keys().next();
        if (!oldest.done) this.calls.delete(oldest.value);
      }
    }
    return m;
  }

  async apply(e: DomainEvent): Promise<KpiDelta | null> {
    const day = Math.floor(e.atMs / DAY_MS);
    switch (e.type) {
      case 'call.originated':
        this.memo(e.callId).campaignId = e.campaignId;
        return null;
      case 'call.answered':
        this.memo(e.callId).answeredAtMs ??= e.atMs;
        return null;
      case 'call.bridged': {
        const m = this.memo(e.callId);
        if (m.bridgedAtMs !== null) return null; // an agent change of the same call
        m.bridgedAtMs = e.atMs;
        if (m.campaignId === null || m.answeredAtMs === null) {
          const live = await this.lookup(e.callId);
          if (live) {
            m.campaignId ??= live.campaignId;
            m.answeredAtMs ??= live.answeredAtMs;
          }
        }
        if (m.campaignId === null || m.answeredAtMs === null) return null;
        return {
          campaignId: m.campaignId,
          day,
          add: { connectedCalls: 1, answerWaitMs: Math.max(0, e.atMs - m.answeredAtMs) },
        };
      }
      case 'call.ended': {
        const m = this.calls.get(e.callId);
        this.calls.delete(e.callId);
        if (!m || m.bridgedAtMs === null) return null;
        return {
          campaignId: e.campaignId,
          day,
          add: { handledCalls: 1, talkMs: Math.max(0, e.atMs - m.bridgedAtMs) },
        };
      }
      case 'agent.state_changed': {
        // The state left adds its length to its bucket: wrap-up (AHT and occupancy), wait and
        // talk + dead air (occupancy only; docs/kpi.md). Pause and logged-out count nowhere.
        if (e.from === e.to || !e.campaignId) return null;
        const ms = Math.max(0, e.atMs - e.sinceMs);
        const bucket = timeBucket(e.from);
        const add: Partial<KpiSums> | null =
          bucket === 'wrap'
            ? { wrapMs: ms }
            : bucket === 'wait'
              ? { waitMs: ms }
              : bucket === 'talk' || bucket === 'dead'
                ? { inCallMs: ms }
                : null;
        return add ? { campaignId: e.campaignId, day, add } : null;
      }
      default:
        return null;
    }
  }
}

/** Schedules `fn` after `ms` of wall-clock time; returns a cancel function. */
export type ScheduleFn = (fn: () => void, ms: number) => () => void;

const realSchedule: ScheduleFn = (fn, ms) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

export interface StatusPublisherDeps {
  live: CampaignLive;
  hopper: Pick<Hopper, 'size'>;
  bus: EventBus;
  /** Looks up live calls the KPI tracker saw only from their middle. */
  store: Pick<StateStore, 'getCall'>;
  clock: Clock;
  logger: Logger;
  /** Least wall-clock time between two publications of one campaign (ms, default 1,000). */
  minIntervalMs?: number;
  /** Wall clock (ms), default performance.now(). */
  wallNow?: () => number;
  schedule?: ScheduleFn;
}

interface CampaignSlot {
  latest: { status: DialerStatus; dialLevel: number } | null;
  /** Signature of the last published event (everything but atMs). */
  lastSig: string;
  lastFlushWall: number;
  cancel: (() => void) | null;
  flushing: boolean;
}

/** The dialer's StatusObserver: see the file comment. */
export class DialerStatusPublisher implements StatusObserver {
  private readonly slots = new Map<CampaignId, CampaignSlot>();
  private readonly minIntervalMs: number;
  private readonly wallNow: () => number;
  private readonly schedule: ScheduleFn;
  private readonly kpi: KpiTracker;
  private sub: Subscription | null = null;
  private closed = false;
  /** Events published (tests, stats). */
  published = 0;

  constructor(private readonly d: StatusPublisherDeps) {
    this.minIntervalMs = d.minIntervalMs ?? 1_000;
    this.wallNow = d.wallNow ?? (() => performance.now());
    this.schedule = d.schedule ?? realSchedule;
    this.kpi = new KpiTracker(async (callId) => {
      const c = await d.store.getCall(callId);
      return c ? { campaignId: c.campaignId, answeredAtMs: c.answeredAtMs } : null;
    });
  }

  /** Starts counting the KPIs from the bus. */
  async start(): Promise<void> {
    this.sub = await this.d.bus.subscribe({
      from: 'latest',
      onEvent: (env) => this.count(env),
      onError: (err) => this.d.logger.warn({ err }, 'dialer kpi counting failed'),
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.slots.values()) s.cancel?.();
    this.slots.clear();
    await this.sub?.close();
    this.sub = null;
  }

  /** Applies one bus event to the KPI sums (exported for tests through start()). */
  async count(env: BusEnvelope): Promise<void> {
    const delta = await this.kpi.apply(env.event);
    if (!delta) return;
    await this.d.live.addKpi(delta.campaignId, delta.day, env.stream, env.seq, delta.add);
  }

  observe(status: DialerStatus, dialLevel: number): void {
    if (this.closed) return;
    let s = this.slots.get(status.campaignId);
    if (!s) {
      s = { latest: null, lastSig: '', lastFlushWall: -Infinity, cancel: null, flushing: false };
      this.slots.set(status.campaignId, s);
    }
    s.latest = { status, dialLevel };
    if (s.cancel || s.flushing) return; // the pending flush will take the latest
    const wait = Math.max(0, s.lastFlushWall + this.minIntervalMs - this.wallNow());
    const slot = s;
    slot.cancel = this.schedule(() => {
      slot.cancel = null;
      void this.flush(status.campaignId, slot);
    }, wait);
  }

  /** Forgets a campaign this instance no longer drives (its status ages out of snapshots). */
  forget(campaignId: CampaignId): void {
    this.slots.get(campaignId)?.cancel?.();
    this.slots.delete(campaignId);
  }

  private async flush(campaignId: CampaignId, s: CampaignSlot): Promise<void> {
    const latest = s.latest;
    if (!latest || this.closed) return;
    s.flushing = true;
    s.lastFlushWall = this.wallNow();
    try {
      const event = await this.build(campaignId, latest.status, latest.dialLevel);
      const { atMs: _at, ...rest } = event;
      const sig = JSON.stringify(rest);
      await this.d.live.putLive(event, this.d.clock.nowMs());
      if (sig !== s.lastSig) {
        await this.d.bus.publish(event);
        s.lastSig = sig;
        this.published++;
      }
    } catch (err) {
      this.d.logger.warn({ err, campaignId }, 'dialer status not published');
    } finally {
      s.flushing = false;
    }
    // A status that came in while this one was being published goes out after the interval.
    if (s.latest !== latest && !this.closed && this.slots.get(campaignId) === s) {
      const next = s.latest;
      if (next) this.observe(next.status, next.dialLevel);
    }
  }

  private async build(
    campaignId: CampaignId,
    st: DialerStatus,
    dialLevel: number,
  ): Promise<DialerStatusChanged> {
    const nowMs = this.d.clock.nowMs();
    const day = Math.floor(nowMs / DAY_MS);
    const [hopperSize, dialable, sums] = await Promise.all([
      this.d.hopper.size(campaignId),
      this.d.live.getDialable(campaignId),
      this.d.live.kpi(campaignId, day),
    ]);
    return DialerStatusChanged.parse({
      type: 'dialer.status',
      campaignId,
      state: st.state,
      reason: st.reason.slice(0, 1024),
      mode: dialMethod(st.mode),
      appliedMode: dialMethod(st.appliedMode),
      dialLevel: Math.max(0, dialLevel),
      readyAgents: st.readyAgents,
      callsInFlight: st.callsInFlight,
      waitingForAgent: st.waitingForAgent,
      hopperSize,
      dialableLeads: dialable?.count ?? null,
      dialableAtMs: dialable?.atMs ?? null,
      kpi: {
        dayStartMs: day * DAY_MS,
        handledCalls: sums.handledCalls,
        ahtMs: ahtMs(sums),
        connectedCalls: sums.connectedCalls,
        asaMs: asaMs({ answerWaitMs: sums.answerWaitMs, connectedCalls: sums.connectedCalls }),
        occupancyPct: roundPct(occupancyOfSums(sums)),
      },
      ...(st.drops ? { drops: st.drops } : {}),
      ...(st.amd ? { amd: { ...st.amd, note: st.amd.note.slice(0, 512) } } : {}),
      atMs: st.atMs,
    });
  }
}

function roundPct(p: number | null): number | null {
  return p === null ? null : Math.round(p * 10) / 10;
}

function dialMethod(m: string): DialMethod {
  const r = DialMethod.safeParse(m);
  return r.success ? r.data : 'manual';
}
