import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { loadConfig, type AriServerConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { startApi } from '../../src/roles/api.js';
import { startAriWorker } from '../../src/roles/ari-worker.js';
import type { RoleContext, RunningRole } from '../../src/roles/context.js';
import { startDialer } from '../../src/roles/dialer.js';
import { startScheduler } from '../../src/roles/scheduler.js';
import { seedDemo, type SeedDemoResult } from '../../src/services/demo-seed.js';
import { createTestDb, TEST_DATABASE_URL, type TestDb } from '../helpers/db.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../helpers/redis.js';
import {
  CHROMIUM_FLAGS,
  chromiumPath,
  DEMO_PASSWORD,
  ensureWebBuild,
  freePort,
  startFront,
  zoneInCallingWindow,
  type FrontServer,
} from '../e2e/system.js';

/**
 * The whole system against the real Asterisk named by ARI_URL (npm run test:asterisk): every
 * server role in this process, on a fresh schema and Redis prefix, customers dialed as
 * Local/<digits>@<customerContext> (deploy/asterisk/extensions.conf), and the front server that
 * serves the built agent panel. Nothing here is simulated: Asterisk rings every line.
 */

export interface RealSystemOptions {
  agents?: number;
  leads?: number;
  /** Campaign columns to set after the seed (SQL column = value). */
  campaign?: Record<string, string | number | boolean>;
  /** Dialplan context of the test customers. Default sim-customers. */
  customerContext?: string;
  /** Extra environment for the roles' configuration. */
  env?: Record<string, string>;
}

export interface RealSystem {
  db: TestDb;
  seed: SeedDemoResult;
  config: Config;
  ari: AriRestClient;
  server: AriServerConfig;
  apiUrl: string;
  front: FrontServer;
  redisPrefix: string;
  /** Stops one role by name (ari-worker, scheduler, dialer, api). */
  stopRole(name: string): Promise<void>;
  /** Stops the roles (in reverse order of start); stop() also drops the schema. */
  stopRoles(): Promise<void>;
  stop(): Promise<void>;
}

/** The ARI server the suite runs against (ARI_URL, ARI_USER, ARI_PASSWORD, ARI_APP). */
export function realAriServer(): AriServerConfig {
  const server = loadConfig().ari[0];
  if (!server) throw new Error('ARI_URL is not set: the real-telephony suite needs an Asterisk');
  return server;
}

export async function startRealSystem(opts: RealSystemOptions = {}): Promise<RealSystem> {
  const server = realAriServer();
  const db = await createTestDb('real');
  const seed = await seedDemo(db.pool, {
    agents: opts.agents ?? 2,
    leads: opts.leads ?? 30,
    password: DEMO_PASSWORD,
  });
  const leadZone = zoneInCallingWindow();
  await db.pool.query(
    `UPDATE leads SET time_zone = $1, tz_candidates = ARRAY[$1], tz_key = $1, tz_source = 'manual'`,
    [leadZone],
  );
  const campaign = {
    dial_method: 'progressive',
    dial_level: 1,
    wrapup_s: 300,
    window_start: '08:00',
    window_end: '21:00',
    ...opts.campaign,
  };
  for (const [col, value] of Object.entries(campaign)) {
    if (!/^[a-z_]+$/.test(col)) throw new Error(`bad column ${col}`);
    await db.pool.query(`UPDATE campaigns SET ${col} = $1 WHERE id = $2`, [value, seed.campaignId]);
  }
  const apiPort = await freePort();
  const redisPrefix = testRedisPrefix('real');
  const host = new URL(server.baseUrl).hostname;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    HTTP_PORT: String(apiPort),
    ARI_URL: server.baseUrl,
    ARI_USER: server.user,
    ARI_PASSWORD: server.password,
    ARI_APP: server.app,
    ARI_DIAL_TEMPLATE: `Local/{digits}@${opts.customerContext ?? 'sim-customers'}`,
    SIP_WSS_URL: process.env.SIP_WSS_URL ?? `wss://${host}:8089/ws`,
    ...opts.env,
  });
  const logger = createLogger(config.logLevel);
  const ctx: RoleContext = {
    config,
    logger,
    pool: db.pool,
    clock: systemClock,
    ariServers: config.ari,
  };
  const running: RunningRole[] = [];
  const stopRoles = async () => {
    for (const r of running.splice(0).reverse()) await r.stop().catch(() => undefined);
  };
  try {
    running.push(await startAriWorker(ctx));
    running.push(await startScheduler(ctx));
    running.push(await startDialer(ctx));
    running.push(await startApi(ctx));
  } catch (err) {
    await stopRoles();
    await db.drop();
    throw err;
  }
  ensureWebBuild();
  const front = await startFront(apiPort);
  return {
    db,
    seed,
    config,
    server,
    ari: new AriRestClient(server),
    apiUrl: `http://127.0.0.1:${apiPort}`,
    front,
    redisPrefix,
    stopRoles,
    async stopRole(name: string) {
      const i = running.findIndex((r) => r.name === name);
      const [role] = i >= 0 ? running.splice(i, 1) : [];
      await role?.stop();
    },
    async stop() {
      await front.close();
      await stopRoles();
      await db.drop();
    },
  };
}

/**
 * Chromium with a fake microphone that plays `audioFile` (a WAV) when given, and that accepts
 * the test Asterisk's self-signed certificate for its WSS phone server.
 */
export async function launchRealChromium(audioFile?: string): Promise<Browser> {
  const args = [...CHROMIUM_FLAGS, '--ignore-certificate-errors'];
  if (audioFile) args.push(`--use-file-for-fake-audio-capture=${audioFile}`);
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args });
}

/** Channels Asterisk has now (ids and names). */
export async function asteriskChannels(
  ari: AriRestClient,
): Promise<Array<{ id: string; name: string }>> {
  return (await ari.listChannels()).map((c) => ({ id: c.id, name: c.name }));
}
