import { describe, expect, it } from 'vitest';
import { histogramQuantile, readHistogram, sampleSum } from './parse.js';
import { PromMetrics } from './prom-metrics.js';

const FAMILIES = [
  'ringside_calls_total',
  'ringside_drops_counted_total',
  'ringside_drops_estimated_total',
  'ringside_drop_rate_30d_ratio',
  'ringside_pacing_decisions_total',
  'ringside_pacing_theta_ratio',
  'ringside_handoff_latency_seconds',
  'ringside_ws_clients',
  'ringside_ws_push_latency_seconds',
  'ringside_ari_event_lag_seconds',
  'ringside_ari_reconnects_total',
  'ringside_redis_errors_total',
  'ringside_postgres_errors_total',
  'ringside_hopper_leads',
];

describe('PromMetrics', () => {
  it('declares every metric family of docs/metrics.md, with process metrics, all labelled with the role', async () => {
    const m = new PromMetrics({ role: 'dialer' });
    const text = await m.metrics();
    for (const f of FAMILIES) expect(text, f).toContain(`# TYPE ${f} `);
    expect(text).toMatch(/^process_cpu_seconds_total\{role="dialer"\} /m);
    expect(text).toMatch(/^process_resident_memory_bytes\{role="dialer"\} /m);
    expect(sampleSum(text, 'ringside_redis_errors_total', { role: 'dialer' })).toBe(0);
  });

  it('exports durations in seconds and rates as ratios, labelled by campaign', async () => {
    const m = new PromMetrics({ role: 'all', processMetrics: false });
    m.handoff(42, false);
    m.handoff(1_500, true);
    m.wsPush(7);
    m.ariEventLag('pbx1:8088', 3);
    m.dropRate30d('7', 2.5);
    m.pacingDecision('7', 'predictive', 0.031);
    m.pacingDecision('7', 'predictive', null);
    m.callEnded('7', 'HUMAN');
    m.callEnded('7', 'DROPPED');
    m.dropsCounted('7', 1);
    m.dropsEstimated('7', 0.25);
    m.hopperDepth('7', 120);
    const text = await m.metrics();
    const direct = readHistogram(text, 'ringside_handoff_latency_seconds', { parked: 'false' });
    expect(direct?.count).toBe(1);
    expect(direct?.sum).toBeCloseTo(0.042);
    // 42 ms lands in the (0.04, 0.045] bucket.
    const q = histogramQuantile(direct, 0.5) as number;
    expect(q).toBeGreaterThan(0.04);
    expect(q).toBeLessThanOrEqual(0.045);
    expect(readHistogram(text, 'ringside_handoff_latency_seconds', { parked: 'true' })?.sum).toBe(
      1.5,
    );
    expect(readHistogram(text, 'ringside_ws_push_latency_seconds')?.sum).toBeCloseTo(0.007);
    expect(
      readHistogram(text, 'ringside_ari_event_lag_seconds', { server: 'pbx1:8088' })?.count,
    ).toBe(1);
    expect(sampleSum(text, 'ringside_drop_rate_30d_ratio', { campaign: '7' })).toBeCloseTo(0.025);
    expect(sampleSum(text, 'ringside_pacing_theta_ratio', { campaign: '7' })).toBe(0.031);
    expect(
      sampleSum(text, 'ringside_pacing_decisions_total', { campaign: '7', mode: 'predictive' }),
    ).toBe(2);
    expect(sampleSum(text, 'ringside_calls_total', { campaign: '7' })).toBe(2);
    expect(sampleSum(text, 'ringside_calls_total', { outcome: 'DROPPED' })).toBe(1);
    expect(sampleSum(text, 'ringside_drops_counted_total', { campaign: '7' })).toBe(1);
    expect(sampleSum(text, 'ringside_drops_estimated_total', { campaign: '7' })).toBe(0.25);
    expect(sampleSum(text, 'ringside_hopper_leads', { campaign: '7' })).toBe(120);
  });

  it('ignores values that are not numbers rather than throwing on the hot path', async () => {
    const m = new PromMetrics({ role: 'api', processMetrics: false });
    expect(() => {
      m.handoff(NaN, false);
      m.wsPush(Infinity);
      m.ariEventLag('s', NaN);
      m.dropRate30d('1', NaN);
      m.dropsEstimated('1', NaN);
    }).not.toThrow();
    const text = await m.metrics();
    expect(readHistogram(text, 'ringside_handoff_latency_seconds')).toBeNull();
    expect(readHistogram(text, 'ringside_ws_push_latency_seconds')?.count).toBe(0);
  });

  it('runs scrape hooks before each exposition, and a failing or hung hook does not stop it', async () => {
    const m = new PromMetrics({ role: 'api', processMetrics: false });
    let n = 0;
    m.onScrape(() => m.wsClients(++n));
    m.onScrape(() => {
      throw new Error('boom');
    });
    const remove = m.onScrape(() => new Promise<void>(() => undefined));
    const t0 = Date.now();
    expect(sampleSum(await m.metrics(), 'ringside_ws_clients')).toBe(1);
    expect(Date.now() - t0).toBeLessThan(3_000);
    remove();
    expect(sampleSum(await m.metrics(), 'ringside_ws_clients')).toBe(2);
  });

  it('forgets the gauges of a campaign it no longer drives', async () => {
    const m = new PromMetrics({ role: 'dialer', processMetrics: false });
    m.hopperDepth('1', 5);
    m.hopperDepth('2', 6);
    m.dropRate30d('1', 1);
    m.pacingDecision('1', 'predictive', 0.02);
    m.forgetCampaign('1');
    const text = await m.metrics();
    expect(text).not.toMatch(/campaign="1"\} [0-9.]+\n/);
    expect(text).not.toContain('ringside_hopper_leads{campaign="1"');
    expect(sampleSum(text, 'ringside_hopper_leads', { campaign: '2' })).toBe(6);
    // Counters stay: a rate over them must not jump.
    expect(sampleSum(text, 'ringside_pacing_decisions_total', { campaign: '1' })).toBe(1);
  });
});
