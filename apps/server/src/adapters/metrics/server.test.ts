import { describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import { startMetricsServer } from './server.js';
import { metricsAuthorized } from '../../ports/metrics.js';
import { PromMetrics } from './prom-metrics.js';

describe('metricsAuthorized', () => {
  it('lets anyone in without a token, and only the exact bearer token with one', () => {
    expect(metricsAuthorized(undefined, null)).toBe(true);
    const token = 'a-metrics-token-0123';
    expect(metricsAuthorized(`Bearer ${token}`, token)).toBe(true);
    expect(metricsAuthorized(`bearer ${token}`, token)).toBe(true);
    expect(metricsAuthorized(undefined, token)).toBe(false);
    expect(metricsAuthorized(`Bearer ${token}x`, token)).toBe(false);
    expect(metricsAuthorized(`Basic ${token}`, token)).toBe(false);
    expect(metricsAuthorized('Bearer ', token)).toBe(false);
  });
});

describe('startMetricsServer', () => {
  it('serves GET /metrics, asks for the token when one is set, and serves nothing else', async () => {
    const metrics = new PromMetrics({ role: 'scheduler', processMetrics: false });
    const token = 'a-metrics-token-0123';
    const s = await startMetricsServer({
      metrics,
      host: '127.0.0.1',
      port: 0,
      token,
      logger: createLogger('silent'),
    });
    try {
      const url = `http://127.0.0.1:${s.port}`;
      const ok = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toContain('text/plain');
      expect(await ok.text()).toContain('ringside_redis_errors_total{role="scheduler"} 0');
      const no = await fetch(`${url}/metrics`);
      expect(no.status).toBe(401);
      expect(no.headers.get('www-authenticate')).toBe('Bearer');
      expect((await fetch(`${url}/other`)).status).toBe(404);
      expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await s.close();
    }
  });
});
