import { Redis } from 'ioredis';
import type { AgentId, CallId, CampaignId, ListId } from '@ringside/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisDialAttempts } from '../../src/adapters/redis/dial-attempts.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { DEFAULT_STATE_RULES, ruleSet } from '../../src/domain/state-rules.js';
import { ComplianceError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { ManualClock } from '../../src/ports/clock.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { createCampaignWithList } from '../helpers/dialer.js';
import { manualDialRig } from '../helpers/manual-dial-rig.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../helpers/redis.js';

// 2026-06-10 (a Wednesday) 15:00 UTC = 11:00 EDT in Maryland.
const NOON = Date.UTC(2026, 5, 10, 15, 0);
const H = 3_600_000;

let db: TestDb;
let redis: Redis;
let attempts: RedisDialAttempts;
let campaignId: CampaignId;
let listId: ListId;
const clock = new ManualClock(NOON);
const logger = createLogger('error');
let n = 0;

beforeAll(async () => {
  db = await createTestDb('manual_state');
  redis = new Redis(TEST_REDIS_URL);
  attempts = new RedisDialAttempts(redis, new RedisKeys(testRedisPrefix('manual_state')));
  ({ campaignId, listId } = await createCampaignWithList(db.pool, {
    name: 'state rules',
    active: true,
    dialMethod: 'progressive',
  }));
  await db.pool.query(
    "UPDATE campaigns SET window_start = '08:00', window_end = '21:00' WHERE id = $1",
    [campaignId],
  );
});

afterAll(async () => {
  redis?.disconnect();
  await db?.drop();
});

/** A manual dialer with the state rules, and a paused agent with a phone leg. */
async function setup() {
  const { dialer, agentId, requests } = await manualDialRig({
    pool: db.pool,
    campaignId,
    agentId: String(700 + ++n) as AgentId,
    leg: { bridgeId: 'b', legChannelId: 'l' },
    clock,
    logger,
    newCallId: () => `ms${++n}` as CallId,
    compliance: { rules: () => ruleSet(DEFAULT_STATE_RULES), attempts },
  });
  return { dialer, agentId, requests };
}

async function lead(phone: string): Promise<string> {
  const r = await db.pool.query<{ id: string }>(
    `INSERT INTO leads (list_id, phone, state, time_zone, tz_candidates, tz_key, tz_source)
     VALUES ($1, $2, 'MD', 'America/New_York', '{America/New_York}', 'America/New_York', 'area_code')
     RETURNING id::text`,
    [listId, phone],
  );
  return r.rows[0]?.id ?? '';
}

describe('manual dials follow the state rules', () => {
  it("counts each dial, and refuses a Maryland number's fourth call in 24 hours", async () => {
    clock.set(NOON);
    const id = await lead('+13015550100');
    for (const h of [9, 4]) await attempts.record('+13015550100', NOON - h * H, `old${h}`);
    const first = await setup();
    await first.dialer.manualDial(first.agentId, id);
    expect(first.requests).toHaveLength(1);
    expect(await attempts.recent('+13015550100', NOON - 24 * H)).toHaveLength(3);
    const second = await setup();
    const err = await second.dialer.manualDial(second.agentId, id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ComplianceError);
    expect(err).toMatchObject({ rule: 'MAX_ATTEMPTS', httpStatus: 422 });
    expect((err as Error).message).toMatch(/MD rule: the number was dialed 3 times/);
    expect(second.requests).toEqual([]);
  });

  it("refuses a Maryland lead at 20:30 local although the campaign's window is open", async () => {
    clock.set(Date.UTC(2026, 5, 11, 0, 30)); // 20:30 EDT
    const id = await lead('+13015550101');
    const { dialer, agentId, requests } = await setup();
    const err = await dialer.manualDial(agentId, id).catch((e: unknown) => e);
    expect(err).toMatchObject({ rule: 'CALLING_WINDOW' });
    expect((err as Error).message).toMatch(/MD rule: 20:30 in America\/New_York/);
    expect(requests).toEqual([]);
  });
});
