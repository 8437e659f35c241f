import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentId,
  E164,
  LeadId,
  type CallId,
  type CampaignId,
  type ListId,
} from '@ringside/protocol';
import { CampaignLeases } from '../../src/adapters/redis/dialer-state.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { systemClock } from '../../src/ports/clock.js';
import type { DialerAri, Originator } from '../../src/ports/dialer.js';
import { MemoryHopper } from '../../src/ports/fakes/memory-hopper.js';
import { newLiveCall, type AgentStatus } from '../../src/ports/state-store.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { DialerService } from '../../src/services/dialer/index.js';
import { inertDialerParts, testDialerDefaults } from '../helpers/dialer.js';
import { testRedisPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { dialerTestBed, type DialerTestBed } from '../dialer/setup.js';

/**
 * A dialer's campaign lease lost mid-decision (issue 16, "Bad input and faults"): the holder has
 * decided to place a call when it stalls past its lease TTL and another dialer takes the
 * campaign. The stalled holder must place none of the calls it decided on (it checks the lease
 * right before placing), say so in one log line, and the new holder places the call once.
 */

let bed: DialerTestBed;
const prefix = testRedisPrefix('ha_dial');
const dialers: DialerService[] = [];

beforeAll(async () => {
  bed = await dialerTestBed('ha_dial', 'lease-lost');
});
afterAll(async () => {
  for (const d of dialers) await d.stop({ releaseLeases: false }).catch(() => undefined);
  const keys = await bed.redis.keys(`${prefix}:*`);
  if (keys.length) await bed.redis.del(...keys);
  bed.redis.disconnect();
  await bed.db.drop();
});

/** An IANA zone where it is daytime now (the calling window), so the lead may be dialed. */
function dayZone(): string {
  for (let o = -12; o <= 14; o++) {
    const zone = o === 0 ? 'Etc/GMT' : `Etc/GMT${o > 0 ? '-' : '+'}${Math.abs(o)}`;
    const hour = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hour: 'numeric',
      hourCycle: 'h23',
    })
      .formatToParts(new Date())
      .find((p) => p.type === 'hour');
    const h = Number(hour?.value ?? -1);
    if (h >= 11 && h <= 16) return zone;
  }
  throw new Error('no zone in daytime');
}

describe('dialer lease lost mid-decision', () => {
  it('the stalled holder places none of its decided calls, logs once; the new holder dials once', async () => {
    const campaignId = bed.campaignId;
    const keys = new RedisKeys(prefix);
    const store = new RedisStateStore(bed.redis, { prefix, clock: systemClock });
    const hopper = new MemoryHopper();
    const zone = dayZone();
    await hopper.add(
      campaignId,
      [1, 2, 3].map((n) => ({
        leadId: LeadId.parse(String(n)),
        listId: bed.listId as ListId,
        campaignId,
        phone: E164.parse(`+1415555010${n}`),
        timeZones: [zone],
        priority: 'new' as const,
        attempts: 0,
        windowClosesAtMs: Date.now() + 3_600_000,
      })),
    );
    // One agent, PAUSED until the first dialer is up; READY, progressive pacing places one call.
    const agent: AgentStatus = {
      agentId: AgentId.parse('7'),
      state: 'PAUSED',
      sinceMs: Date.now(),
      campaignId,
      callId: null,
      pauseCode: null,
      bridgeId: 'agent-7',
      legChannelId: 'leg-7',
    };
    await store.transitionAgent(agent, null, {
      type: 'agent.state_changed',
      agentId: agent.agentId,
      campaignId,
      from: 'LOGGED_OUT',
      to: 'PAUSED',
      pauseCode: null,
      callId: null,
      reason: 'test',
      sinceMs: agent.sinceMs,
      atMs: agent.sinceMs,
    });

    const dialed: Array<{ by: string; leadId: string }> = [];
    const originator = (by: string): Originator => ({
      originate: async (req) => {
        dialed.push({ by, leadId: req.leadId });
        await store.putCall(newLiveCall({ ...req, serverId: 's', originatedAtMs: Date.now() }), {
          type: 'call.originated',
          callId: req.callId,
          campaignId,
          leadId: req.leadId,
          atMs: Date.now(),
        } as never);
        return { ok: true, serverId: 's' };
      },
    });
    const ari: DialerAri = {
      createBridge: async () => ({}),
      addChannel: async () => undefined,
      removeChannel: async () => undefined,
      playOnChannel: async () => undefined,
      getPlayback: async () => ({}),
      hangup: async () => undefined,
    };
    // The first dialer's decision stalls on its read of the agents until the test lets it go.
    let stall: (() => void) | null = null;
    let stalled = false;
    let armed = false;
    const stallingStore = Object.create(store) as RedisStateStore;
    stallingStore.listAgents = async (id) => {
      const agents = await store.listAgents(id);
      if (armed && !stalled && agents.some((a) => a.state === 'READY')) {
        stalled = true;
        await new Promise<void>((r) => (stall = r));
      }
      return agents;
    };
    const lines: Array<{ msg?: string }> = [];
    const logger = pino(
      { level: 'info' },
      { write: (s: string) => void lines.push(JSON.parse(s) as { msg?: string }) },
    );
    const make = (id: string, st: RedisStateStore) => {
      let n = 0;
      const d = new DialerService({
        instanceId: id,
        store: st,
        hopper,
        originator: originator(id),
        ari: () => ari,
        agents: new AgentSessionService({
          store,
          log: { record: async () => undefined },
          clock: systemClock,
        }),
        ...inertDialerParts(),
        ...testDialerDefaults(logger.child({ dialer: id })),
        newCallId: () => `${id}-c${++n}` as CallId,
        campaigns: createCampaignsRepo(createDb(bed.db.pool)),
        leases: new CampaignLeases(bed.redis, keys, id, 5_000),
        bus: {
          publish: async () => {
            throw new Error('unused');
          },
          subscribe: async () => ({ close: async () => undefined }),
        } as never,
        rebuildLedger: async () => undefined,
        // Rounds far apart: only the check before placing can see the loss.
        leaseIntervalMs: 60_000,
      });
      dialers.push(d);
      return d;
    };
    const d1 = make('d1', stallingStore);
    await d1.start();
    armed = true;
    const ready: AgentStatus = { ...agent, state: 'READY', sinceMs: Date.now() };
    await store.transitionAgent(ready, 'PAUSED', {
      type: 'agent.state_changed',
      agentId: agent.agentId,
      campaignId,
      from: 'PAUSED',
      to: 'READY',
      pauseCode: null,
      callId: null,
      reason: 'test',
      sinceMs: agent.sinceMs,
      atMs: ready.sinceMs,
    });
    await waitFor('d1 to decide (stalled)', () => stalled && stall !== null);
    expect(d1.driven()).toEqual([campaignId]);
    // d1 stalled past its TTL: its lease is gone and d2 holds the campaign.
    await bed.redis.set(keys.dialerLease(campaignId as CampaignId), 'd2', 'PX', 5_000);
    (stall as unknown as () => void)();
    await waitFor('d1 to let the campaign go', () => d1.driven().length === 0);
    expect(dialed.filter((x) => x.by === 'd1')).toEqual([]);
    expect(lines.filter((l) => l.msg === 'dialer lease lost: campaign handed over')).toHaveLength(
      1,
    );

    const d2 = make('d2', store);
    await d2.start();
    await waitFor('d2 to dial', () => dialed.length > 0);
    await new Promise((r) => setTimeout(r, 600));
    // Progressive, one READY agent: one call, by d2, its lead dialed once.
    expect(dialed.map((x) => x.by)).toEqual(['d2']);
    expect(new Set(dialed.map((x) => x.leadId)).size).toBe(dialed.length);
    expect(lines.filter((l) => l.msg === 'dialer lease lost: campaign handed over')).toHaveLength(
      1,
    );
  });
});
