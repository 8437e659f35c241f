import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { CampaignId } from '@ringside/protocol';
import { startBotAgents } from '@ringside/sim';
import { freePort } from '../../../../bench/common/processes.js';
import { parseFloorArgs } from '../../../../bench/floor/args.js';
import { onMaintenanceDb, putLeadsInWindow } from '../../../../bench/floor/database.js';
import { REDIS_URL, startPbx, startRole, type Proc } from '../../../../bench/floor/processes.js';
import { FloorResources, log } from '../../../../bench/floor/resources.js';
import { parseExposition } from '../../src/adapters/metrics/parse.js';
import { migrate } from '../../src/adapters/postgres/migrate.js';
import { createPool } from '../../src/adapters/postgres/pool.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { seedDemo } from '../../src/adapters/postgres/demo-seed.js';
import type { FloorSample } from './failover-samples.js';

/**
 * A small floor for the dialer take-over test (issue 14, "Bad input and faults"): the production
 * roles each in its own process as deployed (bench:floor's startRole: `main.ts <role>` with its
 * own METRICS_PORT), two of them dialers, a fresh database and REDIS_PREFIX (bench:floor's
 * FloorResources, which also removes them), the simulated PBX in a process of its own, and bot
 * agents through the real API and WebSocket on a predictive campaign.
 */

export const AGENTS = 12;
const LEADS = 4_000;
const PASSWORD = 'ringside-demo';
/** roles/dialer.ts: the lease TTL and the lease round (DialerService's default). */
export const DIALER_LEASE_TTL_MS = 5_000;
export const DIALER_LEASE_ROUND_MS = 1_000;
/** roles/dialer.ts: how long a popped lead stays leased to the dialer that popped it. */
export const HOPPER_LEASE_MS = 30_000;

/**
 * The controller state the first holder starts from, and the history that makes its first
 * predictive decision move theta (docs/pacing.md): 400 human answers yesterday with no drop, and
 * marks at 0, so that decision closes a period of >= 300 answers under target and raises theta.
 * The state its successor must continue from is then one only the first holder computed.
 */
export const SEEDED_CONTROL = { theta: 0.05, humansAt: 0, dropsAt: 0 };
const HISTORY_HUMANS = 400;

/**
 * Customers: a quarter answer as people, the rest are busy (an outcome at once), so the
 * predictive model's 200 dial outcomes come quickly. People would talk for a minute; the bots end
 * each call after about a second themselves (an agent's hang-up goes straight to wrap-up, so no
 * disposition waits on the customer hang-up watcher of a loaded api). Nobody is left to ring the
 * 15 s timeout, and every recycle delay of the demo campaign (5 min and more) is longer than the
 * test: no lead is due twice within it.
 */
const CUSTOMERS = {
  mix: { human: 0.25, machine: 0, noanswer: 0, busy: 0.75, congestion: 0 },
  humanRingMs: { min: 200, max: 600 },
  amdHumanAccuracy: 1,
  amdHumanDecisionMs: 200,
  humanGreetingMs: 150,
  humanTalkMs: 60_000,
};

/** The database: demo seed, leads in the calling window, the campaign predictive and active. */
async function seed(res: FloorResources, pool: pg.Pool): Promise<string> {
  await onMaintenanceDb(`CREATE DATABASE "${res.dbName}"`);
  await migrate(pool);
  const seeded = await seedDemo(pool, {
    agents: AGENTS,
    leads: LEADS,
    password: PASSWORD,
    campaignName: 'Failover',
    // An external phone each, which the simulated PBX answers (anyEndpoint).
    agentPhone: (username) => `PJSIP/${username}`,
  });
  // Every lead in one zone inside the calling window, given by hand ('manual'): the scheduler
  // re-derives every other lead's zones from its number at start when the zone tables' version is
  // not recorded (a fresh database), which put most leads outside the window, and the filler,
  // keeping the zone it read first for a minute, then found no lead to add: the hopper ran dry
  // and the survivor, holding ready agents, rightly had nothing to dial.
  await putLeadsInWindow(pool);
  await pool.query(
    `UPDATE campaigns SET dial_method = 'predictive', drop_wait_ms = 2000, ring_timeout_s = 15,
                          hopper_size = 300, window_start = '08:00', window_end = '21:00',
                          active = true
      WHERE id = $1`,
    [seeded.campaignId],
  );
  // Yesterday's answers (the 30-day ledger a take-over rebuilds from call_log); lead 0 is no
  // lead of the list, so they never count as attempts of this run's leads.
  await pool.query(
    `INSERT INTO call_log (id, campaign_id, list_id, lead_id, phone, server_id, channel_id,
                           originated_at, answered_at, ended_at, outcome)
     SELECT 'hist' || g, $1, $2, 0, '+12125550000', 'sim', 'hist' || g,
            now() - interval '1 day', now() - interval '1 day', now() - interval '1 day', 'HUMAN'
       FROM generate_series(1, $3) g`,
    [seeded.campaignId, seeded.listId, HISTORY_HUMANS],
  );
  return seeded.campaignId;
}

/**
 * The floor. start(): database and Redis state first (so the first lease holder's first decision
 * reads SEEDED_CONTROL), then the PBX, then api, ari-worker, scheduler and two dialers side by
 * side, then the bots. stop() removes whatever start() made, even when start() failed midway.
 */
export class FailoverFloor {
  readonly res = new FloorResources(`failover_${randomBytes(4).toString('hex')}`);
  readonly pool = createPool(this.res.dbUrl, { max: 4 });
  readonly redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  readonly keys = new RedisKeys(this.res.prefix);
  campaignId = '' as CampaignId;
  dialers: Proc[] = [];

  async start(): Promise<void> {
    const t0 = Date.now();
    const step = (what: string) => log(`failover: ${what} at ${Date.now() - t0} ms`);
    this.campaignId = (await seed(this.res, this.pool)) as CampaignId;
    await this.redis.set(this.keys.pacingControl(this.campaignId), JSON.stringify(SEEDED_CONTROL));
    step('database seeded');
    const args = parseFloorArgs([], '');
    const pbx = await startPbx(args, {
      seed: 14,
      anyEndpoint: true,
      defaultProfile: CUSTOMERS,
      omitEvents: ['DeviceStateChanged'],
    });
    this.res.procs.push(pbx.proc);
    const httpPort = await freePort();
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: process.env.FLOOR_LOG_LEVEL ?? 'warn',
      DATABASE_URL: this.res.dbUrl,
      REDIS_URL,
      REDIS_PREFIX: this.res.prefix,
      ARI_URL: pbx.ariUrl,
      ARI_DIAL_TEMPLATE: 'Local/{digits}@sim-customers',
      HTTP_PORT: String(httpPort),
      SESSION_SECRET: randomBytes(32).toString('hex'),
      METRICS_TOKEN: '',
    };
    const roles = ['api', 'ari-worker', 'scheduler', 'dialer', 'dialer'];
    const procs = await Promise.all(
      roles.map(async (role) =>
        startRole(
          args,
          role,
          role === 'api' ? httpPort : await freePort(),
          // FLOOR_ROLE_LOG_LEVELS=dialer:debug,scheduler:debug (with FLOOR_LOG_LEVEL set, which
          // shows the roles' logs): the dialers' status reasons, the hopper fills.
          { ...env, LOG_LEVEL: roleLogLevel(role) ?? env.LOG_LEVEL },
          (p) => this.res.procs.push(p),
        ),
      ),
    );
    this.dialers = procs.filter((p) => p.name === 'dialer');
    step('roles up');
    // Four groups log in side by side (each one bot after the other: argon2 is slow on purpose).
    const groups = 4;
    const per = Math.ceil(AGENTS / groups);
    await Promise.all(
      Array.from({ length: groups }, async (_, g) => {
        const bots = await startBotAgents({
          baseUrl: `http://127.0.0.1:${httpPort}`,
          campaignId: this.campaignId,
          count: Math.min(per, AGENTS - g * per),
          first: 1 + g * per,
          password: PASSWORD,
          hangup: 'agent',
          talkMs: 1_000,
          wrapMs: 500,
          random: () => 0.5,
          staggerMs: 0,
          ...(process.env.FLOOR_LOG_LEVEL
            ? {
                onLog: (msg: string, f: Record<string, unknown>) =>
                  log(`${msg} ${JSON.stringify(f)}`),
              }
            : {}),
        });
        this.res.bots.push(bots);
      }),
    );
    step('bots ready');
  }

  /** Removes everything (processes, bots, database, Redis keys); safe to call twice. */
  async stop(): Promise<void> {
    await this.pool.end().catch(() => undefined);
    this.redis.disconnect();
    await this.res.cleanup();
  }
}

/** A role's own log level from FLOOR_ROLE_LOG_LEVELS (`role:level,...`), if it names one. */
function roleLogLevel(role: string): string | undefined {
  for (const part of (process.env.FLOOR_ROLE_LOG_LEVELS ?? '').split(',')) {
    const [name, level] = part.split(':');
    if (name?.trim() === role && level) return level.trim();
  }
  return undefined;
}

/** The dialer process a lease owner id (`host:pid:random`, services/dialer/ids.ts) names. */
export function holderOf(dialers: readonly Proc[], owner: string | null): Proc | undefined {
  const pid = owner?.split(':')[1];
  return dialers.find((d) => String(d.child.pid) === pid);
}

/** The campaign's theta gauge on one process's /metrics; null while it has none. */
export async function thetaOn(proc: Proc, campaignId: string): Promise<number | null> {
  const text = await fetch(proc.metricsUrl as string)
    .then((r) => r.text())
    .catch(() => '');
  const s = parseExposition(text).find(
    (x) => x.name === 'ringside_pacing_theta_ratio' && x.labels.campaign === campaignId,
  );
  return s ? s.value : null;
}

/** Polls `probe` every `everyMs` until it returns non-null or `timeoutMs` pass (then null). */
export async function waitFor<T>(
  probe: () => Promise<T | null>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T | null> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() >= until) return null;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Samples the campaign every `everyMs` from the kill on: who holds the lease, the agents' states
 * and the live calls (the state store the dialer reads), the hopper, the calls placed since the
 * kill and the dialer's last status. What the survivor saw when it did or did not dial.
 */
export function watchFloor(
  floor: FailoverFloor,
  deadId: string,
  survivor: Proc,
  killedAt: number,
  everyMs = 100,
): { samples: FloorSample[]; stop(): Promise<void> } {
  const { redis, keys, pool } = floor;
  const cid = floor.campaignId;
  const store = new RedisStateStore(redis, { prefix: floor.res.prefix });
  const hopper = keys.hopper(cid);
  const samples: FloorSample[] = [];
  let stopped = false;
  const count = (xs: readonly string[]) =>
    xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {});
  const loop = (async () => {
    while (!stopped) {
      const [owner, agents, calls, entries, leased, dialed, leads, live] = await Promise.all([
        redis.get(keys.dialerLease(cid)),
        store.listAgents(cid),
        store.listCalls(cid),
        redis.hlen(hopper.entries),
        redis.hlen(hopper.owners),
        pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM call_log WHERE lead_id <> 0 AND originated_at > $1`,
          [new Date(killedAt)],
        ),
        pool.query<{ marked: number; fresh: number }>(
          `SELECT count(*) FILTER (WHERE hopper_at IS NOT NULL)::int AS marked,
                  count(*) FILTER (WHERE hopper_at IS NULL AND NOT final
                                     AND next_eligible_at = '-infinity')::int AS fresh
             FROM leads`,
        ),
        redis.hget(keys.dialerLive, cid),
      ]);
      let status = '';
      try {
        const e = (JSON.parse(live ?? 'null') as { e?: { state?: string; reason?: string } } | null)
          ?.e;
        status = e ? `${e.state}: ${e.reason}` : '';
      } catch {
        status = '?';
      }
      const byState = count(agents.map((a) => a.state));
      samples.push({
        atMs: Date.now() - killedAt,
        holder:
          owner === null
            ? 'none'
            : owner === deadId
              ? 'dead'
              : holderOf([survivor], owner)
                ? 'survivor'
                : 'other',
        ready: byState.READY ?? 0,
        agents: byState,
        calls: count(calls.map((c) => c.stage)),
        queued: entries - leased,
        dialedSince: dialed.rows[0]?.n ?? 0,
        marked: leads.rows[0]?.marked ?? 0,
        fresh: leads.rows[0]?.fresh ?? 0,
        status,
      });
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    samples,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
