import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startSimPbx, type SimPbx } from '../../../sim/src/pbx/index.js';
import { loadConfig } from '../../src/config.js';
import { localTime } from '../../src/domain/calling-window.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { startApi } from '../../src/roles/api.js';
import { startAriWorker } from '../../src/roles/ari-worker.js';
import type { RoleContext, RunningRole } from '../../src/roles/context.js';
import { startDialer } from '../../src/roles/dialer.js';
import { startScheduler } from '../../src/roles/scheduler.js';
import { seedDemo, type SeedDemoResult } from '../../src/adapters/postgres/demo-seed.js';
import { createTestDb, TEST_DATABASE_URL, type TestDb } from '../helpers/db.js';
import { ensureWebBuild, WEB_DIST } from './web-build.js';
import { freePort } from '../helpers/http.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../helpers/redis.js';
import { nextCodeFor, rememberSecondFactor } from '../helpers/two-factor.js';
import { totpCode } from '../../src/services/admin/two-factor.js';

/**
 * The whole system on loopback for end-to-end tests: the simulated PBX, every server role
 * in this process (a fresh schema and Redis prefix), and a front server that serves the built
 * agent panel (apps/web/dist) and passes /api and /ws through to the API, the way a reverse proxy
 * would. The front server can cut every WebSocket and refuse new ones for a while: a real
 * network loss as the browser sees it.
 */

/**
 * The four roles in one process, in main.ts's order; each is pushed on `running` once started, so
 * the caller can stop the ones that did when a later one fails.
 */
export async function startAllRoles(ctx: RoleContext, running: RunningRole[]): Promise<void> {
  running.push(await startAriWorker(ctx));
  running.push(await startScheduler(ctx));
  running.push(await startDialer(ctx));
  running.push(await startApi(ctx));
}

export { ensureWebBuild, WEB_DIST };

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

/** Debian's chromium; never a downloaded browser. */
export function chromiumPath(): string {
  return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
}

/** Debian's chromium, headless, with `args` (CHROMIUM_FLAGS unless told). */
export async function launchChromium(args: readonly string[] = CHROMIUM_FLAGS): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...args] });
}

export { freePort };

/** The first of `zones` whose local hour now is from `fromHour` to before `toHour`. */
export function zoneWithHourIn(
  zones: readonly string[],
  fromHour: number,
  toHour: number,
  nowMs = Date.now(),
): string | undefined {
  return zones.find((z) => {
    const h = Math.floor((localTime(z, nowMs)?.minute ?? NaN) / 60);
    return h >= fromHour && h < toHour;
  });
}

/** An IANA zone whose local hour is now inside 10:00-19:00, so leads there may be called. */
export function zoneInCallingWindow(nowMs = Date.now()): string {
  const zones = [
    'America/New_York',
    'America/Chicago',
    'America/Los_Angeles',
    'Pacific/Honolulu',
    'Pacific/Auckland',
    'Asia/Tokyo',
    'Asia/Kolkata',
    'Europe/Berlin',
    'Atlantic/Azores',
    'America/Sao_Paulo',
  ];
  const zone = zoneWithHourIn(zones, 10, 19, nowMs);
  if (!zone) throw new Error('no zone in the calling window (the list covers every hour)');
  return zone;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

export interface FrontServer {
  url: string;
  /** Destroys every open WebSocket and refuses new ones until restore(). */
  cutWebSockets(): void;
  restoreWebSockets(): void;
  openWebSockets(): number;
  close(): Promise<void>;
}

/** Static files from dist/ plus a pass-through of /api and /ws to the API on `apiPort`. */
export async function startFront(apiPort: number): Promise<FrontServer> {
  const sockets = new Set<net.Socket>();
  let blocked = false;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    if (url.pathname.startsWith('/api/')) {
      passThrough();
      return;
    }
    serveStatic();
    function passThrough() {
      const up = http.request(
        {
          host: '127.0.0.1',
          port: apiPort,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(up);
    }
    function serveStatic() {
      const rel = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
      const file = path.join(WEB_DIST, path.normalize(rel));
      const target =
        file.startsWith(WEB_DIST) && existsSync(file) ? file : path.join(WEB_DIST, 'index.html');
      res.writeHead(200, {
        'content-type': MIME[path.extname(target)] ?? 'application/octet-stream',
      });
      res.end(readFileSync(target));
    }
  });
  server.on('upgrade', (req, client: net.Socket, head: Buffer) => {
    if (blocked || req.url?.split('?')[0] !== '/ws') {
      client.destroy();
      return;
    }
    const upstream = net.connect(apiPort, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const done = () => {
      sockets.delete(client);
      client.destroy();
      upstream.destroy();
    };
    sockets.add(client);
    client.on('error', done);
    client.on('close', done);
    upstream.on('error', done);
    upstream.on('close', done);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    cutWebSockets() {
      blocked = true;
      for (const s of sockets) s.destroy();
    },
    restoreWebSockets() {
      blocked = false;
    },
    openWebSockets: () => sockets.size,
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface System {
  db: TestDb;
  pbx: SimPbx;
  seed: SeedDemoResult;
  apiUrl: string;
  front: FrontServer;
  /** The zone every lead was moved to (inside the calling window now). */
  leadZone: string;
  stop(): Promise<void>;
}

export interface SystemOptions {
  /** Campaign columns to set after the seed (SQL column = value). */
  campaign?: Record<string, string | number | boolean>;
  leads?: number;
  agents?: number;
}

/**
 * A fresh schema with the demo seed (every user's password DEMO_PASSWORD), every lead moved to a
 * zone inside the calling window now, and the campaign set to `opts.campaign` over a progressive,
 * 08:00-21:00 default: what the e2e and real-telephony systems start from.
 */
export async function seedSystem(
  label: string,
  opts: SystemOptions,
): Promise<{ db: TestDb; seed: SeedDemoResult; leadZone: string }> {
  const db = await createTestDb(label);
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
  return { db, seed, leadZone };
}

/**
 * Starts everything. Every customer answers as a human quickly and talks for ten minutes unless
 * the test hangs it up (pbx control API), so calls end only when a test says so.
 */
export async function startSystem(opts: SystemOptions = {}): Promise<System> {
  const { db, seed, leadZone } = await seedSystem('e2e', opts);

  const pbx = await startSimPbx({
    port: 0,
    seed: 7,
    defaultProfile: {
      mix: { human: 1, machine: 0, noanswer: 0, busy: 0, congestion: 0 },
      humanRingMs: 300,
      amdHumanAccuracy: 1,
      amdHumanDecisionMs: 300,
      humanGreetingMs: 200,
      humanTalkMs: 600_000,
    },
    // The seeded users' simulated phones (PJSIP/<username>); any other endpoint does not exist.
    endpoints: [...seed.credentials.map((c) => c.username)],
  });
  const apiPort = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: testRedisPrefix('e2e'),
    HTTP_PORT: String(apiPort),
  });
  const logger = createLogger(config.logLevel);
  // As main.ts does without ARI_URL: the simulated PBX stands in (config.ari stays empty, so the
  // roles know the PBX is simulated: phone legs through the API, the simulated customers).
  const ariServers = [
    {
      id: 'sim',
      baseUrl: pbx.ariUrl,
      user: config.ariUser,
      password: config.ariPassword,
      app: config.ariApp,
    },
  ];
  const ctx: RoleContext = { config, logger, pool: db.pool, clock: systemClock, ariServers };
  const running: RunningRole[] = [];
  const stopAll = async () => {
    for (const r of running.reverse()) await r.stop().catch(() => undefined);
  };
  try {
    await startAllRoles(ctx, running);
  } catch (err) {
    await stopAll();
    await pbx.stop();
    await db.drop();
    throw err;
  }
  const front = await startFront(apiPort);
  return {
    db,
    pbx,
    seed,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    front,
    leadZone,
    async stop() {
      await front.close();
      await stopAll();
      await pbx.stop();
      await db.drop();
    },
  };
}

/** The simulated PBX's live calls (control API). */
export async function pbxCalls(
  pbx: SimPbx,
): Promise<Array<{ channelId: string; phase: string; bridgeId: string | null }>> {
  const r = await fetch(`${pbx.url}/_sim/calls`);
  return (await r.json()) as Array<{ channelId: string; phase: string; bridgeId: string | null }>;
}

/** The customer of a call hangs up (simulated PBX control API). */
export async function customerHangsUp(pbx: SimPbx, callId: string): Promise<void> {
  const r = await fetch(`${pbx.url}/_sim/calls/${encodeURIComponent(callId)}/hangup`, {
    method: 'POST',
  });
  if (r.status !== 204) throw new Error(`customer hang-up of ${callId}: HTTP ${r.status}`);
}

/** The password startSystem gives every seeded user (admin, supervisors, agent1..agentN). */
export const DEMO_PASSWORD = 'ringside-demo';

/** A page in a fresh browser context (its own cookies, `options`) on the system's front server. */
export async function openPage(
  browser: Browser,
  sys: System,
  options: BrowserContextOptions = {},
): Promise<Page> {
  return (await browser.newContext({ baseURL: sys.front.url, ...options })).newPage();
}

/** A fresh page with the admin signed in, on its home screen (the Admin link shown). */
export async function adminPage(e2e: { browser: Browser; sys: System }): Promise<Page> {
  const page = await openPage(e2e.browser, e2e.sys);
  await signIn(page, 'admin');
  await page.getByRole('link', { name: 'Admin' }).first().waitFor();
  return page;
}

/** Fills and sends the sign-in form as `username` (nothing more: no second factor). */
export async function submitSignIn(page: Page, username: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs `username` in through the sign-in form; the caller waits for the screen it expects. */
export async function signIn(page: Page, username: string): Promise<void> {
  await submitSignIn(page, username);
  if (username === 'admin') await secondFactor(page, username);
}

/**
 * An admin's second step (REQUIRE_ADMIN_2FA): the first time on this system it enrols on the
 * screen (reads the key shown under the QR code, types a code computed from it, goes past the
 * recovery codes), afterwards it types the next code.
 */
async function secondFactor(page: Page, username: string): Promise<void> {
  const server = new URL(page.url()).origin;
  const enrol = page.getByTestId('totp-secret');
  const verify = page.getByRole('button', { name: 'Verify' });
  await enrol.or(verify).first().waitFor();
  if (await enrol.isVisible()) {
    const secret = (await enrol.textContent()) ?? '';
    await page.getByLabel('Code').fill(totpCode(secret, Date.now()));
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    const list = page.getByRole('list', { name: 'Recovery code list' });
    await list.waitFor();
    const codes = (await list.locator('code').allTextContents()).map((c) => c.trim());
    rememberSecondFactor(server, username, secret, codes);
    await page.getByRole('button', { name: 'I have saved them, continue' }).click();
    return;
  }
  await page.getByLabel('Code').fill(nextCodeFor(server, username));
  await verify.click();
}

/**
 * What an e2e file starts in beforeAll: the web build (if stale), the whole system and chromium.
 * The caller closes the browser and stops the system in afterAll.
 */
export async function startE2e(opts?: SystemOptions): Promise<{ sys: System; browser: Browser }> {
  ensureWebBuild();
  const sys = await startSystem(opts);
  try {
    return { sys, browser: await launchChromium() };
  } catch (err) {
    await sys.stop();
    throw err;
  }
}

/**
 * The e2e file's system and chromium: started (startE2e with `opts`) before the file's own
 * beforeAll hooks, stopped after its tests. The returned object holds them once started.
 */
export function useE2e(
  opts?: SystemOptions,
  startTimeoutMs?: number,
): { sys: System; browser: Browser } {
  const e2e = {} as { sys: System; browser: Browser };
  beforeAll(async () => {
    Object.assign(e2e, await startE2e(opts));
  }, startTimeoutMs);
  afterAll(async () => {
    await e2e.browser?.close();
    await e2e.sys?.stop();
  });
  return e2e;
}
