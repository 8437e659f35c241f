import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotAgents, type RunningBots } from '../../../sim/src/bots/index.js';
import { startSystem, type System } from './system.js';

/**
 * Bot agents through the same API and WebSocket a browser uses: two bots log in, take the
 * dialer's calls, hang up after a short talk, submit dispositions and take the next call.
 */

let sys: System;
let bots: RunningBots | null = null;

beforeAll(async () => {
  sys = await startSystem({ campaign: { wrapup_s: 30 } });
});

afterAll(async () => {
  await bots?.stop();
  await sys?.stop();
});

describe('bot agents on the simulated PBX', () => {
  it('log in, take calls, hang up, disposition them and go ready again', async () => {
    // Through the front server, as a browser would reach the API.
    bots = await startBotAgents({
      baseUrl: sys.front.url,
      campaignId: sys.seed.campaignId,
      count: 2,
      talkMs: 600,
      wrapMs: 200,
      random: () => 0.5,
    });
    await expect
      .poll(() => bots?.stats().dispositions ?? 0, { timeout: 40_000, interval: 250 })
      .toBeGreaterThanOrEqual(4);
    const stats = bots.stats();
    expect(stats.hangups).toBeGreaterThanOrEqual(4);
    expect(stats.errors).toBe(0);
    const r = await sys.db.pool.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM call_log WHERE disposition IS NOT NULL',
    );
    expect(Number(r.rows[0]?.n)).toBeGreaterThanOrEqual(4);
  });
});
