import type { FastifyInstance } from 'fastify';
import { metricsAuthorized } from '../../ports/metrics.js';
import { UnauthorizedError } from '../../errors.js';
import type { AppDeps } from '../deps.js';

/**
 * GET /metrics: the Prometheus exposition of this process (docs/metrics.md). Not behind the
 * session: Prometheus has none. With METRICS_TOKEN set it wants that bearer token (401
 * otherwise); without, anyone who reaches the port reads it, so keep the port private or set it.
 */
export function registerMetricsRoutes(app: FastifyInstance, deps: AppDeps): void {
  const metrics = deps.metrics;
  if (!metrics) return;
  const token = deps.config.metricsToken ?? null;
  metrics.onScrape(() => {
    // Read at scrape time: the gateway keeps its own count.
    if (app.hasDecorator('gateway')) metrics.wsClients(app.gateway.stats().connections);
  });
  app.route({
    method: 'GET',
    url: '/metrics',
    config: { auth: 'public' },
    schema: { hide: true },
    handler: async (req, reply) => {
      if (!metricsAuthorized(req.headers.authorization, token)) {
        void reply.header('www-authenticate', 'Bearer');
        throw new UnauthorizedError('send Authorization: Bearer <METRICS_TOKEN>');
      }
      const text = await metrics.metrics();
      return reply.header('content-type', metrics.contentType).send(text);
    },
  });
}
