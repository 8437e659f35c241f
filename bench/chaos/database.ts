import { migrate } from '../../apps/server/src/adapters/postgres/migrate.js';
import { createPool } from '../../apps/server/src/adapters/postgres/pool.js';
import { seedDemo } from '../../apps/server/src/adapters/postgres/demo-seed.js';
import { databaseUrl, onMaintenanceDb, putLeadsInWindow } from '../floor/database.js';

export interface ChaosSeed {
  agents: number;
  leads: number;
  password: string;
  dialMethod: 'predictive' | 'ratio';
  dialLevel: number;
  /** The campaign's drop wait, wall-clock ms (the dialer runs on the wall clock). */
  dropWaitMs: number;
  ringTimeoutS: number;
}

/**
 * Creates database `dbName`, migrates it and seeds the chaos floor as bench:floor seeds its own:
 * `agents` agents with an external phone each (both simulated PBXes answer any PJSIP endpoint),
 * `leads` leads in a zone inside the calling window now, and the campaign, inactive. Every lead
 * may be dialed once in the run (max_attempts 1, campaign and recycle rules): a lead with two
 * originates is then a doubled call, never a recycle. Returns the campaign's id.
 */
export async function seedChaosDatabase(dbName: string, s: ChaosSeed): Promise<string> {
  await onMaintenanceDb(`CREATE DATABASE "${dbName}"`);
  const pool = createPool(databaseUrl(dbName), { max: 4 });
  try {
    await migrate(pool);
    const seeded = await seedDemo(pool, {
      agents: s.agents,
      leads: s.leads,
      password: s.password,
      campaignName: 'Chaos',
      agentPhone: (username) => `PJSIP/${username}`,
    });
    await putLeadsInWindow(pool);
    await pool.query(
      `UPDATE campaigns SET dial_method = $2, dial_level = $3, drop_wait_ms = $4,
                            ring_timeout_s = $5, hopper_size = $6, max_attempts = 1,
                            window_start = '08:00', window_end = '21:00', active = false
        WHERE id = $1`,
      [
        seeded.campaignId,
        s.dialMethod,
        s.dialLevel,
        s.dropWaitMs,
        s.ringTimeoutS,
        Math.max(200, s.agents * 10),
      ],
    );
    await pool.query(`UPDATE campaign_recycle_rules SET max_attempts = 1 WHERE campaign_id = $1`, [
      seeded.campaignId,
    ]);
    return seeded.campaignId;
  } finally {
    await pool.end();
  }
}
