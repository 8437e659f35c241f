import { timingSafeEqual } from 'node:crypto';
import type { CallOutcome } from '@ringside/protocol';

/**
 * What the services and roles tell the operators' metrics (docs/metrics.md). Durations are in
 * milliseconds here, as everywhere in the code; the Prometheus adapter exports them in seconds.
 * Every method is cheap and synchronous (a counter bump or one histogram observation), safe on
 * the hot path, and never throws.
 */
export interface Metrics {
  /** A call ended with this outcome (the ARI worker, from call.ended). */
  callEnded(campaignId: string, outcome: CallOutcome): void;
  /** Abandoned calls the ledger counted (DROPPED: no agent within the drop wait). */
  dropsCounted(campaignId: string, n: number): void;
  /** Abandoned calls estimated rather than seen (people hung up on by AMD; issue 14 point 3). */
  dropsEstimated(campaignId: string, n: number): void;
  /** Abandonment over the rolling 30 days, percent of human answers (the dialer's budget). */
  dropRate30d(campaignId: string, pct: number): void;
  /**
   * One pacing decision of a campaign, with the mode it applied and, in predictive mode, the
   * controller's theta (the drop-risk threshold, 0..1); null when the mode has none.
   */
  pacingDecision(campaignId: string, appliedMode: string, theta: number | null): void;
  /**
   * A live answer handed to an agent: from the AMD verdict (HUMAN or NOTSURE) reaching the ARI
   * worker to the customer's entry in the agent's bridge, ms. `parked`: it waited for an agent.
   */
  handoff(ms: number, parked: boolean): void;
  /** WebSocket clients connected to this api process. */
  wsClients(n: number): void;
  /** One event written to the WebSockets: its bus envelope's tsMs to the last frame sent, ms. */
  wsPush(ms: number): void;
  /** An ARI event's age when the worker received it (now minus the event's timestamp), ms. */
  ariEventLag(serverId: string, ms: number): void;
  /** The events WebSocket of an Asterisk server came back after a loss. */
  ariReconnect(serverId: string): void;
  /** A Redis connection reported an error. */
  redisError(): void;
  /** PostgreSQL: a connection failed or dropped (`connection`), or a query failed (`query`). */
  postgresError(kind: 'connection' | 'query'): void;
  /** Leads waiting in a campaign's hopper. */
  hopperDepth(campaignId: string, leads: number): void;
  /**
   * Runs before every scrape, for figures read rather than pushed (hopper sizes, the 30-day rate,
   * socket counts). A hook that throws or takes longer than a second is skipped for that scrape.
   * Returns a function that removes the hook.
   */
  onScrape(hook: () => void | Promise<void>): () => void;
  /** Forgets a campaign's gauges (the campaign is no longer driven by this process). */
  forgetCampaign(campaignId: string): void;
}

/** Metrics that go nowhere: the default where a role or a test gives none. */
export const NO_METRICS: Metrics = {
  callEnded: () => undefined,
  dropsCounted: () => undefined,
  dropsEstimated: () => undefined,
  dropRate30d: () => undefined,
  pacingDecision: () => undefined,
  handoff: () => undefined,
  wsClients: () => undefined,
  wsPush: () => undefined,
  ariEventLag: () => undefined,
  ariReconnect: () => undefined,
  redisError: () => undefined,
  postgresError: () => undefined,
  hopperDepth: () => undefined,
  onScrape: () => () => undefined,
  forgetCampaign: () => undefined,
};

/** Metrics that also render themselves for Prometheus: what the /metrics endpoints serve. */
export interface MetricsRegistry extends Metrics {
  /** The text exposition (format 0.0.4), after the scrape hooks ran. */
  metrics(): Promise<string>;
  readonly contentType: string;
}

/**
 * True when the request may read the metrics: no token is configured (METRICS_TOKEN unset), or
 * its Authorization header is `Bearer <token>` (compared in constant time).
 */
export function metricsAuthorized(
  authorization: string | undefined,
  token: string | null,
): boolean {
  if (token === null) return true;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1]);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
