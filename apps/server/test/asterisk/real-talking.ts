import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { startRealSystem, type RealSystem } from './real-system.js';

/**
 * The rig of the real-Asterisk suites whose customers keep talking (sim-customers-talking): a
 * progressive campaign dialing one line per ready agent with a 2 s drop wait, and a Redis client
 * to read the agents' status with. Written once so the suites cannot drift apart.
 */
export async function startTalkingSystem(
  agents: number,
  leads: number,
): Promise<{ sys: RealSystem; redis: Redis }> {
  const sys = await startRealSystem({
    agents,
    leads,
    customerContext: 'sim-customers-talking',
    campaign: { dial_method: 'progressive', dial_level: 1, drop_wait_ms: 2_000 },
  });
  return { sys, redis: new Redis(TEST_REDIS_URL) };
}

/** Tears a suite down in order: its browsers or probes (in the order given), Redis, the system. */
export async function stopRealRig(
  sys: RealSystem | undefined,
  redis: Redis | undefined,
  ...closers: Array<{ close(): unknown } | undefined>
): Promise<void> {
  for (const c of closers) await c?.close();
  redis?.disconnect();
  await sys?.stop();
}
