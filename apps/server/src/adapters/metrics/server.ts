import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../logger.js';
import { metricsAuthorized, type MetricsRegistry } from '../../ports/metrics.js';

export interface MetricsServerOptions {
  metrics: MetricsRegistry;
  host: string;
  /** 0: a free port (tests); the bound one is in the result. */
  port: number;
  /** METRICS_TOKEN: required as a bearer token when set. */
  token: string | null;
  logger: Logger;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The /metrics listener of the roles without an HTTP server of their own (ari-worker, dialer,
 * scheduler): GET /metrics and nothing else.
 */
export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' }).end('use GET\n');
      return;
    }
    if (!metricsAuthorized(req.headers.authorization, o.token)) {
      res
        .writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' })
        .end('unauthorized: send Authorization: Bearer <METRICS_TOKEN>\n');
      return;
    }
    o.metrics
      .metrics()
      .then((text) => {
        res.writeHead(200, { 'content-type': o.metrics.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      })
      .catch((err: unknown) => {
        o.logger.error({ err }, 'metrics exposition failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n');
      });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  o.logger.info({ host: o.host, port }, 'metrics listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
