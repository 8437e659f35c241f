import { loadConfig, ROLES, type Role } from './config.js';
import { ConfigError } from './errors.js';
import { createLogger } from './logger.js';
import { createPool } from './adapters/postgres/pool.js';
import { ensureDatabase, migrate } from './adapters/postgres/migrate.js';
import { systemClock } from './ports/clock.js';
import type { RoleContext, RunningRole } from './roles/context.js';
import { startApi } from './roles/api.js';
import { startAriWorker } from './roles/ari-worker.js';
import { startDialer } from './roles/dialer.js';
import { startScheduler } from './roles/scheduler.js';
import { demoDialTemplate, startDemo } from './demo.js';
import { countPostgresErrors } from './adapters/metrics/instrument.js';
import { PromMetrics } from './adapters/metrics/prom-metrics.js';
import { startMetricsServer } from './adapters/metrics/server.js';

/**
 * One server program; the role is chosen by argument: api, ari-worker, dialer, scheduler, or
 * all (the default, for one machine). Reads config, migrates, starts the roles, and shuts down
 * gracefully on SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const demoFlag = args.includes('--demo');
  const arg = args.find((a) => !a.startsWith('--')) ?? 'all';
  if (!ROLES.includes(arg as Role)) {
    console.error(`unknown role "${arg}": use one of ${ROLES.join(', ')}`);
    process.exit(2);
  }
  const role = arg as Role;
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  await ensureDatabase(config.databaseUrl);
  const pool = createPool(config.databaseUrl);
  // One registry per process, every metric labelled with the role (docs/metrics.md).
  const metrics = new PromMetrics({ role });
  countPostgresErrors(metrics, pool);
  const applied = await migrate(pool);
  if (applied.length) logger.info({ applied }, 'migrations applied');

  const running: RunningRole[] = [];
  const demo = config.demo || demoFlag;
  // The demo's made-up leads go to Asterisk's test customers, never a trunk (demo.ts).
  const demoTemplate = demoDialTemplate(config, demo);
  if (demoTemplate) {
    config = { ...config, ariDialTemplate: demoTemplate };
    logger.info({ dialTemplate: demoTemplate }, 'demo on Asterisk: dialing its test customers');
  }
  let ariServers = config.ari;
  if (ariServers.length === 0 && (role === 'all' || demo)) {
    // No Asterisk configured: the simulated PBX stands in, on loopback, spoken to over ARI.
    const { startSimPbx } = await import('@ringside/sim');
    const sim = await startSimPbx({
      port: config.simPbxPort,
      user: config.ariUser,
      password: config.ariPassword,
      app: config.ariApp,
      // Every user's phone is simulated here (no SIP): any PJSIP/<username> answers by itself.
      anyEndpoint: true,
    });
    running.push({ name: 'sim-pbx', stop: () => sim.stop() });
    ariServers = [
      {
        id: 'sim',
        baseUrl: sim.ariUrl,
        user: config.ariUser,
        password: config.ariPassword,
        app: config.ariApp,
      },
    ];
    logger.info({ ariUrl: sim.ariUrl }, 'ARI_URL not set: using the simulated PBX');
  }
  const ctx: RoleContext = { config, logger, pool, clock: systemClock, ariServers, metrics };
  const wanted = role === 'all' ? (['ari-worker', 'scheduler', 'dialer', 'api'] as const) : [role];
  for (const r of wanted) {
    if (r === 'api') running.push(await startApi(ctx));
    if (r === 'ari-worker') running.push(await startAriWorker(ctx));
    if (r === 'dialer') running.push(await startDialer(ctx));
    if (r === 'scheduler') running.push(await startScheduler(ctx));
  }
  if (demo) running.push(await startDemo(ctx));
  // The api role serves /metrics on its own HTTP port; the others get a listener of their own.
  if (role !== 'api' && role !== 'all' && config.metrics.port > 0) {
    const server = await startMetricsServer({
      metrics,
      host: config.metrics.host,
      port: config.metrics.port,
      token: config.metrics.token,
      logger,
    }).catch((err: unknown) => {
      // Telephony goes on without metrics; the error says which port could not be used.
      logger.error({ err, port: config.metrics.port }, 'metrics listener not started');
      return null;
    });
    if (server) running.push({ name: 'metrics', stop: () => server.close() });
  }
  logger.info({ role, roles: running.map((r) => r.name) }, 'ringside started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const r of running.reverse()) {
      await r.stop().catch((err: unknown) => logger.error({ err, role: r.name }, 'stop failed'));
    }
    await pool.end();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('ringside failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
