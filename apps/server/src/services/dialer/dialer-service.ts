import type { BusEnvelope, CallId, CampaignId, DomainEvent } from '@ringside/protocol';
import type { CampaignsRepo } from '../../ports/campaigns.js';
import type { PacingControl } from '../../domain/pacing/index.js';
import type { EventBus, Subscription } from '../../ports/event-bus.js';
import { CampaignDriver, type DriverDeps } from './campaign-driver.js';
import type { CampaignLeaseStore } from '../../ports/dialer.js';
import { loadDialerCampaign } from './settings.js';

export interface DialerServiceOptions extends DriverDeps {
  campaigns: CampaignsRepo;
  leases: CampaignLeaseStore;
  bus: EventBus;
  /** Recomputes a campaign's drop ledger from call_log when this instance takes it over. */
  rebuildLedger(campaignId: CampaignId): Promise<void>;
  /** Periodic upkeep besides the campaigns (DNC sync, server load recount); errors are logged. */
  housekeeping?: Array<{ everyMs: number; run(): Promise<unknown> }>;
  /** Pacing decisions at least this often per campaign, ms of wall clock (default 250). */
  tickIntervalMs?: number;
  /** Lease renewal and take-over attempts, ms of wall clock (default 1,000). */
  leaseIntervalMs?: number;
  /**
   * Active campaigns and their settings are re-read this often, ms (default 5,000). A campaign
   * named by campaign.settings_changed is re-read at once; this is the safety net for a lost event.
   */
  reloadIntervalMs?: number;
  /** Sees every bus event before the dialer handles it (the role feeds telephony health). */
  observeEvent?: (env: BusEnvelope) => void;
}

/**
 * The dialer role's engine: holds the leases of the campaigns it drives (one instance per
 * campaign, renewed every second, taken over by another instance within the lease TTL when this
 * one dies), runs one CampaignDriver per leased campaign, and routes bus events to them. Events of
 * one call are handled in order; different calls concurrently, so one slow hand-off never delays
 * another call's.
 */
export class DialerService {
  private readonly drivers = new Map<CampaignId, CampaignDriver>();
  private activeIds: CampaignId[] = [];
  private sub: Subscription | null = null;
  private readonly intervals: NodeJS.Timeout[] = [];
  private readonly callChains = new Map<string, Promise<void>>();
  private readonly agentChains = new Map<string, Promise<void>>();
  private stopping = false;
  private leaseRound: Promise<void> = Promise.resolve();
  private lastReload = Number.NEGATIVE_INFINITY;

  /** The drivers' deps: the service's, and the lease check before a decision places calls. */
  private readonly driverDeps: DriverDeps;

  constructor(private readonly o: DialerServiceOptions) {
    this.driverDeps = {
      ...o,
      holdsLease: (id) => o.leases.acquireOrRenew(id),
      leaseLost: (id) => void this.letGo(id),
    };
  }

  /** Campaigns this instance drives now. */
  driven(): CampaignId[] {
    return [...this.drivers.keys()];
  }

  /** The predictive controller state a campaign's next decision gets here (diagnostics, tests). */
  pacingControl(id: CampaignId): PacingControl | undefined {
    return this.drivers.get(id)?.pacingControl();
  }

  async start(): Promise<void> {
    this.sub = await this.o.bus.subscribe({
      from: 'latest',
      onEvent: (env) => this.onEnvelope(env),
      onGap: async (stream) => {
        // Events were missed: every driver re-reads the live state it depends on.
        this.o.logger.warn({ stream }, 'dialer missed events: re-reading live state');
        for (const d of this.drivers.values()) await d.recover();
      },
      onError: (err, env) => this.o.logger.error({ err, seq: env?.seq }, 'dialer event failed'),
    });
    await this.leases();
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => {
        fn().catch((err: unknown) => this.o.logger.error({ err }, 'dialer periodic task failed'));
      }, ms);
      t.unref();
      this.intervals.push(t);
    };
    every(this.o.leaseIntervalMs ?? 1_000, () => this.leases());
    every(this.o.tickIntervalMs ?? 250, async () => {
      for (const d of this.drivers.values()) void d.tick();
    });
    for (const h of this.o.housekeeping ?? []) every(h.everyMs, () => h.run());
  }

  /**
   * Stops driving. The leases are given back so another instance takes over at once;
   * `releaseLeases: false` stops like a crash would (tests of the take-over): the leases expire.
   */
  async stop(opts: { releaseLeases?: boolean } = {}): Promise<void> {
    this.stopping = true;
    for (const t of this.intervals) clearInterval(t);
    await this.leaseRound.catch(() => undefined);
    await this.sub?.close();
    for (const [id, d] of this.drivers) {
      d.stop();
      if (opts.releaseLeases !== false) await this.o.leases.give(id).catch(() => undefined);
    }
    this.drivers.clear();
    await Promise.all([...this.callChains.values(), ...this.agentChains.values()]);
    await this.o.leads.flush();
  }

  /** One round of lease renewals and take-overs; rounds never overlap. */
  leases(): Promise<void> {
    this.leaseRound = this.leaseRound
      .then(() => this.leaseRoundNow())
      .catch((err: unknown) => {
        this.o.logger.error({ err }, 'dialer lease round failed');
      });
    return this.leaseRound;
  }

  /**
   * A driver found the lease lost mid-decision (it placed none of that decision's calls): the
   * campaign is let go, logged once, queued like a lease round.
   */
  private letGo(id: CampaignId): Promise<void> {
    this.leaseRound = this.leaseRound
      .then(() => {
        const driver = this.drivers.get(id);
        if (!driver) return;
        driver.stop();
        this.drivers.delete(id);
        this.o.logger.warn(
          { campaignId: id, when: 'mid-decision' },
          'dialer lease lost: campaign handed over',
        );
      })
      .catch(() => undefined);
    return this.leaseRound;
  }

  private async leaseRoundNow(): Promise<void> {
    if (this.stopping) return;
    const wall = this.o.perfNow();
    const reload = wall - this.lastReload >= (this.o.reloadIntervalMs ?? 5_000);
    if (reload) {
      this.activeIds = (await this.o.campaigns.list({ activeOnly: true })).map((c) => c.id);
      this.lastReload = wall;
    }
    const active = new Set(this.activeIds);
    for (const [id, d] of this.drivers) {
      if (active.has(id)) {
        d.setDraining(false);
        continue;
      }
      await this.retire(id, d);
    }
    for (const id of this.activeIds) {
      if (this.stopping) return;
      const held = await this.o.leases.acquireOrRenew(id);
      const driver = this.drivers.get(id);
      if (!held) {
        if (driver) {
          // Lost the lease (this instance stalled past its TTL): the new holder recovers the calls.
          driver.stop();
          this.drivers.delete(id);
          this.o.logger.warn({ campaignId: id }, 'dialer lease lost: campaign handed over');
        }
        continue;
      }
      if (!driver) await this.takeOver(id);
      else if (reload) {
        const loaded = await loadDialerCampaign(this.o.campaigns, id);
        if (loaded) driver.update(loaded.campaign, loaded.invalid);
        await driver.refreshLedger();
      }
    }
  }

  /**
   * A campaign no longer active. Stopped campaign: no new calls, but the live ones (a parked
   * customer waiting for an agent or for the safe-harbor message) are still seen through before
   * the lease is given back.
   */
  private async retire(id: CampaignId, d: CampaignDriver): Promise<void> {
    if (d.busy()) {
      d.setDraining(true);
      if (!(await this.o.leases.acquireOrRenew(id))) {
        d.stop();
        this.drivers.delete(id);
      }
      return;
    }
    d.stop();
    this.drivers.delete(id);
    await this.o.leases.give(id);
    this.o.logger.info({ campaignId: id }, 'campaign no longer active: dialer stopped it');
  }

  /**
   * campaign.settings_changed: re-reads that campaign now instead of at the next reload, so a new
   * dial method or level applies from the next decision (run at once), a campaign made inactive
   * places no new call (its calls in flight are seen through), and one made active is taken as
   * soon as its lease is free. Queued between lease rounds, never inside one.
   */
  settingsChanged(id: CampaignId): Promise<void> {
    this.leaseRound = this.leaseRound
      .then(() => this.reloadCampaign(id))
      .catch((err: unknown) => {
        this.o.logger.error({ err, campaignId: id }, 'dialer settings reload failed');
      });
    return this.leaseRound;
  }

  private async reloadCampaign(id: CampaignId): Promise<void> {
    if (this.stopping) return;
    const loaded = await loadDialerCampaign(this.o.campaigns, id);
    const active = loaded?.campaign.active === true;
    this.activeIds = this.activeIds.filter((x) => x !== id);
    if (active) this.activeIds.push(id);
    const driver = this.drivers.get(id);
    if (!driver) {
      // Every instance sees the event; the lease decides which one drives the campaign.
      if (active && (await this.o.leases.acquireOrRenew(id))) await this.takeOver(id);
      return;
    }
    if (loaded) driver.update(loaded.campaign, loaded.invalid);
    this.o.logger.info({ campaignId: id, active }, 'dialer applied a campaign settings change');
    if (active) driver.setDraining(false);
    else await this.retire(id, driver);
    if (this.drivers.has(id)) void driver.tick();
  }

  private async takeOver(id: CampaignId): Promise<void> {
    const loaded = await loadDialerCampaign(this.o.campaigns, id);
    if (!loaded) return;
    await this.o.rebuildLedger(id);
    const driver = new CampaignDriver(this.driverDeps, loaded.campaign, loaded.invalid);
    this.drivers.set(id, driver);
    this.o.logger.info(
      { campaignId: id, instanceId: this.o.instanceId },
      'dialer took the campaign',
    );
    await driver.recover();
    void driver.tick();
  }

  private async onEnvelope(env: BusEnvelope): Promise<void> {
    this.o.observeEvent?.(env);
    const e = env.event;
    const seen = this.o.perfNow();
    if (e.type === 'campaign.settings_changed') {
      void this.settingsChanged(e.campaignId);
      return;
    }
    if (e.type === 'quality.amd_marked') {
      // A reviewer's AMD mark: the campaign's AMD estimate takes it now, not at the next reload
      // of the audit's counts; the decision run at once reports it (the wall's status).
      const d = e.result === 'unchanged' ? undefined : this.drivers.get(e.campaignId);
      if (d) {
        this.chain(this.agentChains, d.id, async () => {
          await d.refreshAmdMarks();
          void d.tick();
        });
      }
      return;
    }
    if (e.type === 'agent.state_changed') {
      const d = e.campaignId ? this.drivers.get(e.campaignId) : undefined;
      if (d) this.chain(this.agentChains, d.id, () => d.onAgentEvent(e));
      return;
    }
    if (!e.type.startsWith('call.')) return;
    const callId = (e as { callId: CallId }).callId;
    this.chain(this.callChains, callId, async () => {
      const d = await this.driverOf(e, callId);
      if (d) await d.onCallEvent(e, seen);
    });
  }

  /** The driver of a call: the one that follows it, else the lease holder of its campaign. */
  private async driverOf(e: DomainEvent, callId: CallId): Promise<CampaignDriver | null> {
    for (const d of this.drivers.values()) if (d.owns(callId)) return d;
    if ('campaignId' in e && e.type !== 'call.originated') {
      return this.drivers.get(e.campaignId as CampaignId) ?? null;
    }
    // A call this instance did not place (a manual dial from the API, a previous holder's call):
    // adopted when it reaches a step the dialer acts on.
    if (e.type === 'call.originated' || e.type === 'call.amd' || e.type === 'call.safe_harbor') {
      const call = await this.o.store.getCall(callId);
      const d = call ? this.drivers.get(call.campaignId) : undefined;
      if (call && d) {
        d.adopt(call);
        return d;
      }
    }
    return null;
  }

  private chain(map: Map<string, Promise<void>>, key: string, fn: () => Promise<void>): void {
    const prev = map.get(key) ?? Promise.resolve();
    const next = prev.then(fn).catch((err: unknown) => {
      this.o.logger.error({ err, key }, 'dialer failed on an event');
    });
    map.set(key, next);
    void next.then(() => {
      if (map.get(key) === next) map.delete(key);
    });
  }
}
