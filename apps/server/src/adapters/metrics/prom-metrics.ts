import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallOutcome } from '@ringside/protocol';
import type { MetricsRegistry } from '../../ports/metrics.js';

/**
 * Hand-off buckets, seconds: fine-grained from 5 to 200 ms where the 100 ms p99 goal sits
 * (issue 14), then coarse up to the drop wait for calls that were parked.
 */
export const HANDOFF_BUCKETS_S = [
  0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.045, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1,
  0.11, 0.125, 0.15, 0.175, 0.2, 0.3, 0.5, 1, 2, 5,
];
/** WebSocket push buckets, seconds: fine where the 50 ms p99 goal sits. */
export const PUSH_BUCKETS_S = [
  0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.045, 0.05, 0.06,
  0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5,
];
/** ARI event lag buckets, seconds. */
export const ARI_LAG_BUCKETS_S = [
  0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5,
];

/** Longest a scrape hook may take before the scrape goes on without it, ms. */
const SCRAPE_HOOK_TIMEOUT_MS = 1_000;

export interface PromMetricsOptions {
  /** The `role` label on every metric: api, ari-worker, dialer, scheduler or all. */
  role: string;
  /** Node's process metrics (CPU, RSS, heap, event loop); default true. */
  processMetrics?: boolean;
}

/**
 * The Metrics port on prom-client: one registry per process, every metric labelled with the
 * process's role (docs/metrics.md lists names, labels and units).
 */
export class PromMetrics implements MetricsRegistry {
  readonly registry = new Registry();
  private readonly hooks = new Set<() => void | Promise<void>>();
  private readonly calls: Counter<'campaign' | 'outcome'>;
  private readonly dropsCountedC: Counter<'campaign'>;
  private readonly dropsEstimatedC: Counter<'campaign'>;
  private readonly dropRate: Gauge<'campaign'>;
  private readonly decisions: Counter<'campaign' | 'mode'>;
  private readonly theta: Gauge<'campaign'>;
  private readonly handoffH: Histogram<'parked'>;
  private readonly clients: Gauge;
  private readonly push: Histogram;
  private readonly ariLag: Histogram<'server'>;
  private readonly reconnects: Counter<'server'>;
  private readonly redisErrors: Counter;
  private readonly pgErrors: Counter<'kind'>;
  private readonly hopper: Gauge<'campaign'>;

  constructor(o: PromMetricsOptions) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ role: o.role });
    this.calls = new Counter({
      name: 'ringside_calls_total',
      help: 'Calls ended, by campaign and outcome (call.ended).',
      labelNames: ['campaign', 'outcome'],
      registers,
    });
    this.dropsCountedC = new Counter({
      name: 'ringside_drops_counted_total',
      help: 'Abandoned calls counted: live answers no agent took within the drop wait.',
      labelNames: ['campaign'],
      registers,
    });
    this.dropsEstimatedC = new Counter({
      name: 'ringside_drops_estimated_total',
      help: 'Abandoned calls estimated: the expected share of people among AMD machine hang-ups.',
      labelNames: ['campaign'],
      registers,
    });
    this.dropRate = new Gauge({
      name: 'ringside_drop_rate_30d_ratio',
      help: 'Abandonment over the rolling 30 days: drops / human answers (0..1).',
      labelNames: ['campaign'],
      registers,
    });
    this.decisions = new Counter({
      name: 'ringside_pacing_decisions_total',
      help: 'Pacing decisions, by campaign and the dial mode applied.',
      labelNames: ['campaign', 'mode'],
      registers,
    });
    this.theta = new Gauge({
      name: 'ringside_pacing_theta_ratio',
      help: "Predictive controller's drop-risk threshold theta after the last decision (0..1).",
      labelNames: ['campaign'],
      registers,
    });
    this.handoffH = new Histogram({
      name: 'ringside_handoff_latency_seconds',
      help: 'AMD verdict (HUMAN/NOTSURE) at the ARI worker to the customer in the agent bridge.',
      labelNames: ['parked'],
      buckets: HANDOFF_BUCKETS_S,
      registers,
    });
    this.clients = new Gauge({
      name: 'ringside_ws_clients',
      help: 'WebSocket clients connected to this api process.',
      registers,
    });
    this.push = new Histogram({
      name: 'ringside_ws_push_latency_seconds',
      help: 'Event publication (bus envelope tsMs) to its frames written to the WebSockets.',
      buckets: PUSH_BUCKETS_S,
      registers,
    });
    this.ariLag = new Histogram({
      name: 'ringside_ari_event_lag_seconds',
      help: 'Age of an ARI event when the worker received it: now minus the event timestamp.',
      labelNames: ['server'],
      buckets: ARI_LAG_BUCKETS_S,
      registers,
    });
    this.reconnects = new Counter({
      name: 'ringside_ari_reconnects_total',
      help: 'Reconnections of the ARI events WebSocket after a loss, by Asterisk server.',
      labelNames: ['server'],
      registers,
    });
    this.redisErrors = new Counter({
      name: 'ringside_redis_errors_total',
      help: 'Errors reported by Redis connections.',
      registers,
    });
    this.pgErrors = new Counter({
      name: 'ringside_postgres_errors_total',
      help: 'PostgreSQL errors: connection (failed or dropped) or query (the server refused it).',
      labelNames: ['kind'],
      registers,
    });
    this.hopper = new Gauge({
      name: 'ringside_hopper_leads',
      help: "Leads waiting in a campaign's hopper.",
      labelNames: ['campaign'],
      registers,
    });
    // Zero series exist from the start, so that rate() and absent() work before the first error.
    this.redisErrors.inc(0);
    this.pgErrors.inc({ kind: 'connection' }, 0);
    this.pgErrors.inc({ kind: 'query' }, 0);
    this.clients.set(0);
    if (o.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  callEnded(campaignId: string, outcome: CallOutcome): void {
    this.calls.inc({ campaign: campaignId, outcome });
  }

  dropsCounted(campaignId: string, n: number): void {
    if (n > 0) this.dropsCountedC.inc({ campaign: campaignId }, n);
  }

  dropsEstimated(campaignId: string, n: number): void {
    if (n > 0 && Number.isFinite(n)) this.dropsEstimatedC.inc({ campaign: campaignId }, n);
  }

  dropRate30d(campaignId: string, pct: number): void {
    if (Number.isFinite(pct)) this.dropRate.set({ campaign: campaignId }, pct / 100);
  }

  pacingDecision(campaignId: string, appliedMode: string, theta: number | null): void {
    this.decisions.inc({ campaign: campaignId, mode: appliedMode });
    if (theta !== null && Number.isFinite(theta)) this.theta.set({ campaign: campaignId }, theta);
  }

  handoff(ms: number, parked: boolean): void {
    if (ms >= 0 && Number.isFinite(ms))
      this.handoffH.observe({ parked: parked ? 'true' : 'false' }, ms / 1000);
  }

  wsClients(n: number): void {
    this.clients.set(n);
  }

  wsPush(ms: number): void {
    // A publisher's clock a little ahead of ours reads as zero, not as a negative latency.
    if (Number.isFinite(ms)) this.push.observe(Math.max(0, ms) / 1000);
  }

  ariEventLag(serverId: string, ms: number): void {
    if (Number.isFinite(ms)) this.ariLag.observe({ server: serverId }, Math.max(0, ms) / 1000);
  }

  ariReconnect(serverId: string): void {
    this.reconnects.inc({ server: serverId });
  }

  redisError(): void {
    this.redisErrors.inc();
  }

  postgresError(kind: 'connection' | 'query'): void {
    this.pgErrors.inc({ kind });
  }

  hopperDepth(campaignId: string, leads: number): void {
    this.hopper.set({ campaign: campaignId }, leads);
  }

  onScrape(hook: () => void | Promise<void>): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  forgetCampaign(campaignId: string): void {
    const labels = { campaign: campaignId };
    this.hopper.remove(labels);
    this.dropRate.remove(labels);
    this.theta.remove(labels);
  }

  /** The Prometheus text exposition, after running the scrape hooks. */
  async metrics(): Promise<string> {
    await Promise.all([...this.hooks].map((h) => runHook(h)));
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

async function runHook(hook: () => void | Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(hook),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SCRAPE_HOOK_TIMEOUT_MS);
      }),
    ]);
  } catch {
    // A figure that could not be read keeps its last value; the scrape itself goes on.
  } finally {
    clearTimeout(timer);
  }
}
