import pg from 'pg';
import { localTime } from '../../apps/server/src/domain/calling-window.js';
import { migrate } from '../../apps/server/src/adapters/postgres/migrate.js';
import { createPool } from '../../apps/server/src/adapters/postgres/pool.js';
import { seedDemo } from '../../apps/server/src/adapters/postgres/demo-seed.js';
import type { Scenario } from '../pacing/scenario.js';
import type { FloorArgs } from './args.js';
import type { FloorPlay } from './scenario.js';

export const BASE_DB_URL =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ringside';
/** Zones tried for the leads, so that they are inside the 08:00-21:00 window now. */
const ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
  'Pacific/Guam',
  'America/Puerto_Rico',
];

/** `name` on the server of DATABASE_URL. */
export const databaseUrl = (name: string) => BASE_DB_URL.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);

/** The zone whose local time now is nearest to 14:00 (inside any US calling window). */
export function zoneInWindow(at: Date): string {
  let best = ZONES[0] as string;
  let bestD = Infinity;
  for (const z of ZONES) {
    const d = Math.abs(Math.floor((localTime(z, at.getTime())?.minute ?? NaN) / 60) - 14);
    if (d < bestD) {
      best = z;
      bestD = d;
    }
  }
  return best;
}

/**
 * Puts every lead in one zone inside the calling window now, given by hand ('manual': the
 * scheduler re-derives every other lead's zones from its number at start, on a fresh database
 * without the zone tables' version, which can put most leads outside the window and leave the
 * hopper dry).
 */
export async function putLeadsInWindow(
  pool: { query(sql: string, values: unknown[]): Promise<unknown> },
  at: Date = new Date(),
): Promise<void> {
  await pool.query(
    `UPDATE leads SET time_zone = $1, tz_key = $1, tz_candidates = ARRAY[$1]::text[],
                      tz_source = 'manual'`,
    [zoneInWindow(at)],
  );
}

/** Runs `sql` on the maintenance database (to create and drop a run's own). */
export async function onMaintenanceDb(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
  try {
    await admin.connect();
    await admin.query(sql);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/**
 * Creates database `dbName`, migrates it and seeds the floor: `agents` agents with an external
 * phone each (which the simulated PBX answers), leads in a zone inside the calling window now, and
 * the campaign, inactive, with the scenario's drop wait at `args.speed` and its ring timeout.
 * Returns the campaign's id.
 */
export async function seedFloorDatabase(
  dbName: string,
  args: FloorArgs,
  sc: Scenario,
  play: FloorPlay,
  agents: number,
): Promise<string> {
  await onMaintenanceDb(`CREATE DATABASE "${dbName}"`);
  const pool = createPool(databaseUrl(dbName), { max: 4 });
  // Leads for the stretch: bench:pacing's dial rate (~120 dials per agent-hour in S1) with room.
  const virtualHours = (args.minutes * args.speed) / 60;
  const leads = Math.min(100_000, Math.max(2_000, Math.ceil(agents * virtualHours * 300)));
  try {
    await migrate(pool);
    const seeded = await seedDemo(pool, {
      agents: Math.min(agents, 500),
      leads,
      campaignName: `Floor ${sc.id}`,
      // An external phone each, which the simulated PBX answers (anyEndpoint).
      agentPhone: (username) => `PJSIP/${username}`,
    });
    const campaignId = seeded.campaignId;
    if (agents > 500) {
      // seedDemo stops at 500 agents: the rest copy agent1 (same password hash, team).
      await pool.query(
        `INSERT INTO users (username, display_name, role, password_hash, team_id, phone_type,
                            sip_endpoint)
         SELECT 'agent' || g, 'Agent ' || g, 'agent', u.password_hash, u.team_id, u.phone_type,
                'PJSIP/agent' || g
           FROM generate_series(501, $1) g, users u WHERE u.username = 'agent1'`,
        [agents],
      );
    }
    await putLeadsInWindow(pool);
    // The dialer's clock is the wall clock: the scenario's drop wait is divided by the speed.
    // The ring timeout is not: it travels as the originate's timeout, which the simulated PBX
    // counts on its own clock (already `speed` times faster), so the scenario's value is right.
    await pool.query(
      `UPDATE campaigns SET drop_wait_ms = $2, ring_timeout_s = $3, hopper_size = $4,
                            window_start = '08:00', window_end = '21:00', active = false
        WHERE id = $1`,
      [
        campaignId,
        Math.min(2000, Math.round(play.dropWaitMs / args.speed)),
        Math.max(15, Math.min(120, Math.round(sc.ringTimeoutS))),
        Math.max(200, agents * 10),
      ],
    );
    return campaignId;
  } finally {
    await pool.end();
  }
}
