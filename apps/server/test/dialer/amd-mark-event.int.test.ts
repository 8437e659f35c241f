import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignId, DialMethod } from '@ringside/protocol';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { CampaignLeases } from '../../src/adapters/redis/dialer-state.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import type { DialerStatus } from '../../src/ports/dialer.js';
import { MemoryHopper } from '../../src/ports/fakes/memory-hopper.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { DialerService } from '../../src/services/dialer/index.js';
import { inertDialerParts, neverOriginates, testDialerDefaults } from '../helpers/dialer.js';
import { testRedisPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { createHarness, type Harness } from '../http/harness.js';

/**
 * quality.amd_marked reaches the dialer holding the campaign (issue 15 point 8, issue 14 point
 * 4): its AMD estimate re-reads the audit's counts at once, not at the next reload (off here, one
 * hour), so the status supervisors see carries the reviewer's mark.
 */

let h: Harness;
let dialer: DialerService;
let campaignId: CampaignId;
const marks = { person: 0, machine: 0 };
const reported = new Map<string, DialerStatus>();

beforeAll(async () => {
  h = await createHarness();
  const repo = createCampaignsRepo(createDb(h.db.pool));
  await repo.update(h.campaignId, { active: false });
  campaignId = (
    await repo.create({
      name: 'AMD reviewed',
      active: true,
      dialMethod: 'ratio' as DialMethod,
      dialLevel: 1,
    })
  ).id as CampaignId;
  const logger = createLogger('error');
  dialer = new DialerService({
    instanceId: 'amd-mark-event',
    store: h.store,
    hopper: new MemoryHopper(),
    originator: neverOriginates,
    ari: () => null,
    agents: new AgentSessionService({
      store: h.store,
      log: { record: async () => undefined },
      clock: systemClock,
    }),
    ...inertDialerParts(),
    amdAudit: { marks: async () => ({ ...marks }), pending: async () => undefined },
    statusObserver: { observe: (status) => reported.set(status.campaignId, status) },
    ...testDialerDefaults(logger),
    campaigns: repo,
    leases: new CampaignLeases(h.redis, new RedisKeys(testRedisPrefix('amd_mark')), 'd1', 5_000),
    bus: h.bus,
    rebuildLedger: async () => undefined,
    leaseIntervalMs: 100,
    // Off: only the event can bring the new counts to the dialer.
    reloadIntervalMs: 3_600_000,
  });
  await dialer.start();
  await waitFor('the dialer to take the campaign', () => dialer.driven().includes(campaignId));
});

afterAll(async () => {
  await dialer?.stop();
  await h?.close();
});

describe('quality.amd_marked', () => {
  it("moves the dialer's AMD estimate to the audit's new counts at once", async () => {
    await waitFor('a first status', () => reported.has(campaignId));
    expect(reported.get(campaignId)?.amd?.source).toBe('admin');
    // Enough marks (AUDIT_MIN_MARKS) for the audit's estimate, with its interval, to rule.
    marks.person = 4;
    marks.machine = 36;
    await h.bus.publish({
      type: 'quality.amd_marked',
      recordingId: '1',
      callId: 'amd-mark-call' as never,
      campaignId,
      mark: 'person',
      before: null,
      result: 'counted',
      userId: h.users.supervisor.id,
      atMs: Date.now(),
    });
    await waitFor(
      "the status to carry the audit's 40 marks",
      () => reported.get(campaignId)?.amd?.interval?.marks === 40,
    );
    expect(reported.get(campaignId)?.amd?.source).toBe('audit');
  });
});
