import { execSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotAgents, type RunningBots } from '../../../sim/src/bots/index.js';
import type { Browser, Page } from 'playwright-core';
import { CALL_LOG_INSTANTS, instantsOutOfOrder } from '../helpers/call-log-instants.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { signIn } from '../e2e/system.js';
import {
  AGENT_HZ,
  asteriskChannels,
  launchRealChromium,
  startRealSystem,
  toneWav,
  type RealSystem,
} from './real-system.js';

/**
 * The floor on the real Asterisk (npm run test:asterisk): every server role, five bot agents
 * whose phones Asterisk really rings (users.sip_endpoint = Local/<name>@sim-agent-phones, an
 * external phone as far as Ringside knows) and one person in Chromium whose browser is the phone,
 * predictive dialing of sim-customers for about two minutes, with Asterisk restarted in the middle (ASTERISK_RESTART_CMD, default
 * `asterisk -rx "core restart now"` on this host). Nobody touches anything during the restart:
 * the worker's resync ends the dead calls, Ringside calls the external phones again, the browser
 * phone reconnects by itself, dialing resumes.
 */

const PHASE_MS = 60_000;
const BOTS = 5;
const RESTART_CMD = process.env.ASTERISK_RESTART_CMD ?? 'asterisk -rx "core restart now"';

let sys: RealSystem;
let bots: RunningBots;
let redis: Redis;
let restartAtMs = 0;
let asteriskBackAtMs = 0;
let callsEndedAfterRestartMs = -1;
let liveAtRestart = 0;
let legsBackAfterRestartMs = -1;
let browserLegBackAfterRestartMs = -1;
let browser: Browser;
let person: Page;
let personId = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function liveCalls(): Promise<string[]> {
  return redis.smembers(`${sys.redisPrefix}:{calls}:all`);
}

/** Agents working (not paused, not logged out) with a phone leg in their bridge. */
async function agentsWithLeg(): Promise<number> {
  const ids = await redis.smembers(`${sys.redisPrefix}:{agents}:all`);
  let n = 0;
  for (const id of ids) {
    const s = await redis.hgetall(`${sys.redisPrefix}:{agents}:status:${id}`);
    const leg = s.legChannelId ?? '';
    const working = ['READY', 'RESERVED', 'INCALL', 'WRAPUP'].includes(s.state ?? '');
    if (working && leg !== '' && leg !== 'null') n++;
  }
  return n;
}

async function asteriskUp(): Promise<boolean> {
  try {
    await sys.ari.asteriskInfo();
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  sys = await startRealSystem({
    agents: BOTS + 1,
    leads: 1500,
    campaign: {
      dial_method: 'predictive',
      dial_level: 2,
      drop_wait_ms: 1_500,
      wrapup_s: 60,
      ring_timeout_s: 20,
      hopper_size: 200,
    },
  });
  redis = new Redis(TEST_REDIS_URL);
  await sys.db.pool.query(
    `UPDATE users SET phone_type = 'sip', sip_endpoint = 'Local/' || username || '@sim-agent-phones'
      WHERE role = 'agent' AND username <> 'agent1'`,
  );
  // The person: agent1, its browser the phone (a WebRTC softphone registered with Asterisk).
  browser = await launchRealChromium(toneWav(AGENT_HZ, 300));
  person = await (await browser.newContext({ baseURL: sys.front.url })).newPage();
  await signIn(person, 'agent1');
  await person.getByRole('button', { name: 'Log in to campaign' }).click();
  await person.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor({ timeout: 15_000 });
  await person.keyboard.press('Alt+KeyR');
  personId =
    (
      await sys.db.pool.query<{ id: string }>(
        `SELECT id::text FROM users WHERE username = 'agent1'`,
      )
    ).rows[0]?.id ?? '';
  bots = await startBotAgents({
    baseUrl: sys.apiUrl,
    campaignId: sys.seed.campaignId,
    count: BOTS,
    first: 2,
    talkMs: 6_000,
    wrapMs: 1_500,
    hangup: 'agent',
  });
  await sleep(PHASE_MS);

  // Asterisk restarted mid-floor.
  liveAtRestart = (await liveCalls()).length;
  const legOf = async (id: string) =>
    (await redis.hget(`${sys.redisPrefix}:{agents}:status:${id}`, 'legChannelId')) ?? '';
  // The browser's line before the restart: the one it dials back may be recorded before Asterisk
  // answers the test's first ping (the login now waits for the worker), so compare with this.
  const personLegBefore = await legOf(personId);
  restartAtMs = Date.now();
  execSync(RESTART_CMD, { stdio: 'ignore' });
  await sleep(2_000);
  while (!(await asteriskUp()) && Date.now() - restartAtMs < 60_000) await sleep(250);
  asteriskBackAtMs = Date.now();
  const until = Date.now() + 60_000;
  while (
    Date.now() < until &&
    (callsEndedAfterRestartMs < 0 || legsBackAfterRestartMs < 0 || browserLegBackAfterRestartMs < 0)
  ) {
    if (browserLegBackAfterRestartMs < 0) {
      const leg = await legOf(personId);
      if (leg !== '' && leg !== personLegBefore)
        browserLegBackAfterRestartMs = Date.now() - asteriskBackAtMs;
    }
    if (callsEndedAfterRestartMs < 0) {
      // Calls placed after the restart are fine; those alive at the restart must be gone.
      const ids = await liveCalls();
      const r = await sys.db.pool.query<{ id: string }>(
        `SELECT id FROM call_log WHERE id = ANY($1) AND originated_at < $2`,
        [ids, new Date(restartAtMs)],
      );
      if (r.rows.length === 0) callsEndedAfterRestartMs = Date.now() - asteriskBackAtMs;
    }
    if (legsBackAfterRestartMs < 0 && (await agentsWithLeg()) >= BOTS + 1)
      legsBackAfterRestartMs = Date.now() - asteriskBackAtMs;
    await sleep(250);
  }
  await sleep(PHASE_MS);

  // Wind down: stop the dialer from taking new leads, let calls finish, agents log out.
  await sys.stopRole('scheduler');
  const hopper = `${sys.redisPrefix}:{hopper:${sys.seed.campaignId}}`;
  await redis.del(`${hopper}:q:callback`, `${hopper}:q:recycle`, `${hopper}:q:new`);
  const drainUntil = Date.now() + 40_000;
  while ((await liveCalls()).length > 0 && Date.now() < drainUntil) await sleep(500);
  await bots.stop();
  await sleep(2_000);
}, 450_000);

afterAll(async () => {
  await browser?.close();
  await bots?.stop().catch(() => undefined);
  redis?.disconnect();
  await sys?.stop();
});

describe('the floor on the real Asterisk', () => {
  it('placed calls and bridged live answers to the bots', async () => {
    const r = await sys.db.pool.query<{ n: number; bridged: number; dropped: number }>(
      `SELECT count(*)::int AS n, count(agent_connected_at)::int AS bridged,
              count(*) FILTER (WHERE dropped)::int AS dropped
         FROM call_log WHERE campaign_id = $1`,
      [sys.seed.campaignId],
    );
    const row = r.rows[0];
    console.log(
      `real floor: ${row?.n} calls, ${row?.bridged} bridged, ${row?.dropped} dropped; ` +
        `bots ${JSON.stringify(bots.stats())}; live at restart ${liveAtRestart}, ` +
        `old calls ended ${callsEndedAfterRestartMs} ms, every line back ${legsBackAfterRestartMs} ms ` +
        `(the browser's ${browserLegBackAfterRestartMs} ms) ` +
        `after Asterisk answered again (${asteriskBackAtMs - restartAtMs} ms restart)`,
    );
    expect(row?.n).toBeGreaterThan(30);
    expect(row?.bridged).toBeGreaterThan(5);
  });

  it('leaves no call live in state, and Asterisk has none of them either', async () => {
    expect(await liveCalls()).toEqual([]);
    const ids = new Set(
      (await sys.db.pool.query<{ id: string }>(`SELECT id FROM call_log`)).rows.map((x) => x.id),
    );
    const left = (await asteriskChannels(sys.ari)).filter((c) => ids.has(c.id));
    expect(left).toEqual([]);
  });

  it('bridged every live answer to an agent or dropped it with the safe-harbor message', async () => {
    const r = await sys.db.pool.query<{ id: string }>(
      `SELECT id FROM call_log
        WHERE amd_result = 'HUMAN' AND agent_connected_at IS NULL
          AND NOT (dropped AND safe_harbor_at IS NOT NULL)
          AND originated_at NOT BETWEEN $1 AND $2`,
      // Calls cut by the restart itself are failures of the phone server, checked below.
      [new Date(restartAtMs - 30_000), new Date(asteriskBackAtMs)],
    );
    expect(r.rows).toEqual([]);
    const drops = await sys.db.pool.query<{ id: string; late: boolean }>(
      `SELECT id, safe_harbor_at - amd_at > interval '2 seconds' AS late FROM call_log WHERE dropped`,
    );
    expect(drops.rows.filter((d) => d.late)).toEqual([]);
  });

  it('completes every call_log row with consistent instants', async () => {
    const r = await sys.db.pool.query<
      Record<string, Date | null> & { id: string; outcome: string }
    >(`SELECT id, outcome, ${CALL_LOG_INSTANTS} FROM call_log`);
    const bad: string[] = [];
    for (const row of r.rows) {
      if (!(row.ended_at instanceof Date) || !row.outcome) bad.push(`${row.id} not ended`);
      for (let n = instantsOutOfOrder(row); n > 0; n--) bad.push(`${row.id} out of order`);
    }
    expect(bad).toEqual([]);
  });

  it('after the Asterisk restart: old calls ended, phones back (rung again, browser by itself), dialing resumed', async () => {
    expect(callsEndedAfterRestartMs).toBeGreaterThanOrEqual(0);
    expect(legsBackAfterRestartMs).toBeGreaterThanOrEqual(0);
    expect(browserLegBackAfterRestartMs).toBeGreaterThanOrEqual(0);
    await person.locator('[aria-label="Phone"][data-phone="leg_up"]').waitFor({ timeout: 5_000 });
    const after = await sys.db.pool.query<{ n: number; bridged: number }>(
      `SELECT count(*)::int AS n, count(agent_connected_at)::int AS bridged
         FROM call_log WHERE originated_at > $1`,
      [new Date(asteriskBackAtMs)],
    );
    expect(after.rows[0]?.n).toBeGreaterThan(10);
    expect(after.rows[0]?.bridged).toBeGreaterThan(2);
  });
});
