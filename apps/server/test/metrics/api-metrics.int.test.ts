import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistogram, sampleSum } from '../../src/adapters/metrics/parse.js';
import { PromMetrics } from '../../src/adapters/metrics/prom-metrics.js';
import { bearer, createHarness, type Harness } from '../http/harness.js';
import { isType, TestClient } from '../ws/client.js';

/** GET /metrics on the api app: behind METRICS_TOKEN, not behind the session or CSRF checks. */
const TOKEN = 'metrics-token-for-tests-0123';
let h: Harness;
let url: string;
const metrics = new PromMetrics({ role: 'api', processMetrics: false });

beforeAll(async () => {
  h = await createHarness({ metricsToken: TOKEN }, { metrics });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = h.app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  url = `ws://127.0.0.1:${addr.port}/ws`;
});
afterAll(async () => h?.close());

const scrape = async () => {
  const r = await h.app.inject({ method: 'GET', url: '/metrics', headers: bearer(TOKEN) });
  expect(r.statusCode).toBe(200);
  return r.body;
};

describe('GET /metrics on the api role', () => {
  it('wants the bearer token, whatever session the caller has', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const session = await h.login('super');
    const r = await h.app.inject({ method: 'GET', url: '/metrics', headers: bearer(session) });
    expect(r.statusCode).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Bearer');
    const ok = await h.app.inject({ method: 'GET', url: '/metrics', headers: bearer(TOKEN) });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(ok.body).toContain('# TYPE ringside_ws_push_latency_seconds histogram');
  });

  it('counts WebSocket clients and times each pushed event', async () => {
    const before = readHistogram(await scrape(), 'ringside_ws_push_latency_seconds')?.count ?? 0;
    const client = await TestClient.connect(url, await h.login('super'));
    try {
      client.send('subscribe', {});
      await client.waitFor(isType('snapshot'));
      expect(sampleSum(await scrape(), 'ringside_ws_clients', { role: 'api' })).toBe(1);
      await h.bus.publish({
        type: 'telephony.status',
        serverId: 'metrics-test',
        up: true,
        reason: 'connected',
        atMs: Date.now(),
      });
      await client.waitFor((m) => m.type === 'event' && m.data.event.type === 'telephony.status');
      const push = readHistogram(await scrape(), 'ringside_ws_push_latency_seconds');
      expect(push?.count).toBeGreaterThan(before);
    } finally {
      client.close();
    }
  });
});
