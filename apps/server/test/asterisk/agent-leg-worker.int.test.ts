import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimPbx } from '@ringside/sim';
import type { AgentId, CallId, CampaignId, ListId } from '@ringside/protocol';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { ConflictError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { MemoryHopper } from '../../src/ports/fakes/memory-hopper.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { CampaignLeases } from '../../src/adapters/redis/dialer-state.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import type { DialerAri } from '../../src/ports/dialer.js';
import { DialerService } from '../../src/services/dialer/index.js';
import type { TestDb } from '../helpers/db.js';
import { putHumanAnswer } from '../helpers/live-call.js';
import { startLegRig, type LegRig } from '../helpers/leg-rig.js';
import { createCampaignWithList, inertDialerParts, testDialerDefaults } from '../helpers/dialer.js';
import { testRedisPrefix } from '../helpers/redis.js';
import { simPhones, channelExists as channelExistsOn } from '../helpers/sim-worker.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Agents' phones that dial in (`Stasis(dialer,agent,<endpoint>)`, as a WebRTC softphone dialing
 * `login` on a real Asterisk) and phones that go away, through the ari-worker role as main.ts
 * starts it (its default leg handler), on the simulated PBX with the real Redis and PostgreSQL.
 */

let rig: LegRig;
let db: TestDb;
let pbx: SimPbx;
let redis: Redis;
let ari: AriRestClient;
let store: RedisStateStore;
let sessions: AgentSessionService;
let campaignId: CampaignId;
let listId: ListId;
const ids: Record<string, AgentId> = {};
const app = 'dialer';

const phoneLogin = (endpoint: string) => simPhones(pbx).login(endpoint);
const phoneHangsUp = (endpoint: string) => simPhones(pbx).hangsUp(endpoint);
const channelExists = (id: string) => channelExistsOn(ari, id);
const bridgeChannels = (id: string) =>
  ari.getBridge(id).then(
    (b) => b.channels,
    () => null,
  );
const agent = (id: AgentId) => store.getAgent(id);
const eventsOf = (id: AgentId) => rig.agentEvents.filter((e) => e.agentId === id);

beforeAll(async () => {
  rig = await startLegRig('agent_leg_worker', app, {
    // Customers answer at once and talk for ten minutes (the INCALL case needs one on the line).
    defaultProfile: {
      mix: { human: 100, machine: 0, noanswer: 0, busy: 0, congestion: 0 },
      humanRingMs: 50,
      humanTalkMs: 600_000,
    },
    endpoints: ['alice', 'bob', 'desk7', 'dave'].map((id) => ({ id, registered: false })),
  });
  ({ db, pbx, redis, store, sessions, ari } = rig);

  ({ campaignId, listId } = await createCampaignWithList(db.pool, {
    name: 'legs',
    active: true,
    dialMethod: 'progressive',
  }));
  // The softphone's endpoint is named after the username (services/telephony/sip-accounts.ts); carol has
  // an external phone whose endpoint is not her username.
  const u = await db.pool.query<{ id: string; username: string }>(
    `INSERT INTO users (username, display_name, role, password_hash, phone_type, sip_endpoint) VALUES
       ('alice', 'A', 'agent', 'x', 'webrtc', NULL),
       ('bob', 'B', 'agent', 'x', 'webrtc', NULL),
       ('carol', 'C', 'agent', 'x', 'sip', 'PJSIP/desk7'),
       ('dave', 'D', 'agent', 'x', 'webrtc', NULL)
     RETURNING id::text, username`,
  );
  for (const r of u.rows) ids[r.username] = r.id as AgentId;
  for (const ep of ['alice', 'bob', 'desk7', 'dave']) {
    await fetch(`${pbx.url}/_sim/phones/${ep}/register`, { method: 'POST' });
  }
  for (const name of ['alice', 'carol', 'dave']) {
    await sessions.apply(ids[name] as AgentId, { type: 'login', campaignId }, 'agent');
  }
});

afterAll(async () => {
  await rig?.close();
});

describe('a phone dialing into the app (Stasis ["agent", <endpoint>])', () => {
  it("lands in the logged-in agent's own bridge agent-<agentId> and agent_status records it", async () => {
    const alice = ids.alice as AgentId;
    const ch = await phoneLogin('alice');
    await waitFor('the leg recorded', async () => (await agent(alice))?.legChannelId === ch);
    expect(await agent(alice)).toMatchObject({ bridgeId: `agent-${alice}`, state: 'PAUSED' });
    expect(await bridgeChannels(`agent-${alice}`)).toEqual([ch]);
    expect((await ari.getBridge(`agent-${alice}`)).name).toBe(`agent-${alice}`);
  });

  it('finds an external phone by users.sip_endpoint', async () => {
    const carol = ids.carol as AgentId;
    const ch = await phoneLogin('desk7');
    await waitFor('the leg recorded', async () => (await agent(carol))?.legChannelId === ch);
    expect(await bridgeChannels(`agent-${carol}`)).toEqual([ch]);
  });

  it('is hung up when its user is not logged in', async () => {
    const ch = await phoneLogin('bob');
    await waitFor('the leg hung up', async () => !(await channelExists(ch)));
    expect(await agent(ids.bob as AgentId)).toBeNull();
    expect(await bridgeChannels(`agent-${ids.bob}`)).toBeNull();
  });

  it('replaces the agent’s earlier leg: the new one is recorded and the old one hung up', async () => {
    const alice = ids.alice as AgentId;
    const first = (await agent(alice))?.legChannelId as string;
    const second = await phoneLogin('alice');
    await waitFor(
      'the new leg recorded',
      async () => (await agent(alice))?.legChannelId === second,
    );
    await waitFor('the old leg hung up', async () => !(await channelExists(first)));
    expect(await bridgeChannels(`agent-${alice}`)).toEqual([second]);
    // The old leg's ChannelDestroyed did not touch the agent.
    expect(await agent(alice)).toMatchObject({ state: 'PAUSED', pauseCode: 'LOGIN' });
  });
});

describe('losing the leg', () => {
  it('pauses a READY agent with PHONE and clears its leg in one event; a new leg lets it go ready again', async () => {
    const alice = ids.alice as AgentId;
    await sessions.apply(alice, { type: 'ready' }, 'agent');
    const before = eventsOf(alice).length;
    await phoneHangsUp('alice');
    await waitFor('the agent paused', async () => (await agent(alice))?.state === 'PAUSED');
    expect(await agent(alice)).toMatchObject({
      state: 'PAUSED',
      pauseCode: 'PHONE',
      bridgeId: null,
      legChannelId: null,
    });
    // Its bridge held no customer: torn down, so a hand-off already under way cannot use it.
    expect(await bridgeChannels(`agent-${alice}`)).toBeNull();
    await waitFor('the event', () => eventsOf(alice).length > before);

    const back = await phoneLogin('alice');
    await waitFor('the new leg recorded', async () => (await agent(alice))?.legChannelId === back);
    await waitFor('its event', () => eventsOf(alice).length >= before + 2);
    // Between the hang-up and the new leg: exactly the pause, then the new leg.
    expect(
      eventsOf(alice)
        .slice(before)
        .map((e) => `${e.from}->${e.to} ${e.pauseCode} ${e.reason}`),
    ).toEqual(['READY->PAUSED PHONE system:phone-lost', 'PAUSED->PAUSED PHONE system:leg']);
    expect(await bridgeChannels(`agent-${alice}`)).toEqual([back]);
    await sessions.apply(alice, { type: 'ready' }, 'agent');
    expect((await agent(alice))?.state).toBe('READY');
  });

  it('keeps an INCALL agent on its call: the customer stays in the bridge and a new leg rejoins it', async () => {
    const dave = ids.dave as AgentId;
    const bridge = `agent-${dave}`;
    const leg = await phoneLogin('dave');
    await waitFor('the leg recorded', async () => (await agent(dave))?.legChannelId === leg);
    // A customer in the agent's bridge (a human on the simulated line), the agent INCALL with it.
    const callId = 'legcust1' as CallId;
    await ari.originate({
      endpoint: 'Local/+15551230001@sim-customers',
      channelId: callId,
      otherChannelId: `${callId}-2`,
      app,
      appArgs: 'test',
    });
    await waitFor('the customer answered', async () => {
      try {
        await ari.addChannel(bridge, callId);
        return true;
      } catch {
        return false;
      }
    });
    await sessions.apply(dave, { type: 'ready' }, 'agent');
    await sessions.apply(dave, { type: 'reserve', callId }, 'dialer');
    await sessions.apply(dave, { type: 'connect', callId }, 'dialer');

    await phoneHangsUp('dave');
    await waitFor('the leg cleared', async () => (await agent(dave))?.legChannelId === null);
    expect(await agent(dave)).toMatchObject({ state: 'INCALL', callId, bridgeId: bridge });
    expect(await bridgeChannels(bridge)).toEqual([callId]);

    const back = await phoneLogin('dave');
    await waitFor('the new leg recorded', async () => (await agent(dave))?.legChannelId === back);
    expect([...((await bridgeChannels(bridge)) ?? [])].sort()).toEqual([back, callId].sort());
    expect((await agent(dave))?.state).toBe('INCALL');
    await ari.hangup(callId);
  });
});

describe('the dialer and an agent without a leg', () => {
  it('never adds a customer to the bridge of a READY agent whose leg is gone: the agent is paused instead', async () => {
    // As after a leg lost mid-call: the bridge is still named, the leg is not.
    const prefix = testRedisPrefix('agent_leg_dialer');
    const dstore = new RedisStateStore(redis, { prefix });
    const dbus = new RedisEventBus(redis, { prefix, blockMs: 200 });
    const dsessions = new AgentSessionService({
      store: dstore,
      log: { record: async () => undefined },
      clock: systemClock,
    });
    const agentId = '9001' as AgentId;
    await dsessions.apply(agentId, { type: 'login', campaignId }, 'agent');
    await dsessions.apply(
      agentId,
      { type: 'set_leg', bridgeId: `agent-${agentId}`, legChannelId: null },
      'x',
    );
    await dsessions.apply(agentId, { type: 'ready' }, 'agent');
    // A live answer nobody acted on yet: the dialer's recovery hands it off at once.
    await putHumanAnswer(dstore, 'noleg1', campaignId, listId);
    const ariLog: string[] = [];
    const dari: DialerAri = {
      createBridge: async (b) => void ariLog.push(`create ${b}`),
      addChannel: async (b, c) => void ariLog.push(`add ${b} ${String(c)}`),
      removeChannel: async () => undefined,
      playOnChannel: async (c) => void ariLog.push(`play ${c}`),
      getPlayback: async () => ({}),
      hangup: async (c) => void ariLog.push(`hangup ${c}`),
    };
    const dialer = new DialerService({
      instanceId: 'legs',
      store: dstore,
      hopper: new MemoryHopper(),
      originator: {
        originate: async () => ({ ok: false, attempted: false, error: new ConflictError('x') }),
      },
      ari: () => dari,
      agents: dsessions,
      ...inertDialerParts(),
      ...testDialerDefaults(createLogger('silent')),
      campaigns: createCampaignsRepo(createDb(db.pool)),
      leases: new CampaignLeases(redis, new RedisKeys(prefix), 'legs', 600),
      bus: dbus,
      rebuildLedger: async () => undefined,
      leaseIntervalMs: 100,
    });
    await dialer.start();
    try {
      await waitFor('the agent paused', async () => {
        const s = await dstore.getAgent(agentId);
        return s?.state === 'PAUSED' && s.pauseCode === 'NOLEG';
      });
      // The customer went to the holding bridge or the safe-harbor drop, never to the agent.
      await waitFor('the call parked or dropped', () => ariLog.length > 0);
      expect(ariLog.filter((x) => x.startsWith(`add agent-${agentId}`))).toEqual([]);
    } finally {
      await dialer.stop();
    }
  });
});
