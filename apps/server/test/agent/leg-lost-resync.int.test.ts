import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AriEvent } from '@ringside/ari';
import type { SimPbx } from '@ringside/sim';
import type { AgentId, AgentStateChanged, CampaignId } from '@ringside/protocol';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import type { CallLogWriter } from '../../src/adapters/postgres/call-log.js';
import { RedisAgentLegIndex } from '../../src/adapters/redis/agent-leg-index.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { AgentLegService } from '../../src/services/telephony/agent-leg.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { AriCallWorker } from '../../src/services/telephony/ari-worker-calls.js';
import { channelJson, eventJson } from '../asterisk/fake-ari-server.js';
import type { TestDb } from '../helpers/db.js';
import { startLegRig, type LegRig } from '../helpers/leg-rig.js';
import { createCampaignWithList } from '../helpers/dialer.js';
import { testRedisPrefix } from '../helpers/redis.js';
import { simPhones, channelExists as channelExistsOn } from '../helpers/sim-worker.js';
import { waitFor } from '../helpers/wait.js';

/**
 * An agent's phone leg that goes away while the ARI worker's events WebSocket is down: its
 * ChannelDestroyed is lost, and the resync after the reconnection finds the leg gone. Through the
 * ari-worker role as main.ts starts it, on the simulated PBX with the real Redis and PostgreSQL.
 */

let rig: LegRig;
let db: TestDb;
let pbx: SimPbx;
let redis: Redis;
let ari: AriRestClient;
let store: RedisStateStore;
let sessions: AgentSessionService;
let campaignId: CampaignId;
let serverId: string;
const ids: Record<string, AgentId> = {};
const app = 'dialer';

const phoneLogin = (endpoint: string) => simPhones(pbx).login(endpoint);
const phoneHangsUp = (endpoint: string) => simPhones(pbx).hangsUp(endpoint);
const channelExists = (id: string) => channelExistsOn(ari, id);
const agent = (id: AgentId) => store.getAgent(id);
const eventsOf = (id: AgentId) => rig.agentEvents.filter((e) => e.agentId === id);
const lines = (es: AgentStateChanged[]) =>
  es.map((e) => `${e.from}->${e.to} ${e.pauseCode} ${e.reason}`);
async function connectedApps(): Promise<string[]> {
  const r = await fetch(`${pbx.url}/_sim/stats`);
  return ((await r.json()) as { connectedApps: string[] }).connectedApps;
}

/** A READY agent with its phone leg `endpoint` dialed in and recorded; returns the leg. */
async function readyWithLeg(name: string): Promise<string> {
  const id = ids[name] as AgentId;
  const leg = await phoneLogin(name);
  await waitFor(`${name}'s leg recorded`, async () => (await agent(id))?.legChannelId === leg);
  await sessions.apply(id, { type: 'ready' }, 'agent');
  await waitFor(`${name}'s READY event`, () => eventsOf(id).at(-1)?.to === 'READY');
  return leg;
}

/** Runs `act` while no events WebSocket can reach the worker, then lets it reconnect. */
async function whileEventsDown(act: () => Promise<void>): Promise<void> {
  pbx.setEventsDown(true);
  await waitFor('the worker cut off', async () => !(await connectedApps()).includes(app));
  await act();
  pbx.setEventsDown(false);
  await waitFor('the worker back', async () => (await connectedApps()).includes(app));
}

beforeAll(async () => {
  rig = await startLegRig('leg_lost_resync', app, {
    endpoints: ['alice', 'bob', 'carol', 'keeper'],
  });
  ({ db, pbx, redis, store, sessions, ari } = rig);
  serverId = rig.sim.server.id;
  ({ campaignId } = await createCampaignWithList(db.pool, {
    name: 'legs-resync',
    active: true,
    dialMethod: 'progressive',
  }));
  const u = await db.pool.query<{ id: string; username: string }>(
    `INSERT INTO users (username, display_name, role, password_hash, phone_type, sip_endpoint) VALUES
       ('alice', 'A', 'agent', 'x', 'webrtc', NULL),
       ('bob', 'B', 'agent', 'x', 'webrtc', NULL),
       ('carol', 'C', 'agent', 'x', 'webrtc', NULL)
     RETURNING id::text, username`,
  );
  for (const r of u.rows) ids[r.username] = r.id as AgentId;
  for (const name of ['alice', 'bob', 'carol']) {
    await fetch(`${pbx.url}/_sim/phones/${name}/register`, { method: 'POST' });
    await sessions.apply(ids[name] as AgentId, { type: 'login', campaignId }, 'agent');
  }
});

afterAll(async () => {
  await rig?.close();
});

describe('a phone leg lost while the events WebSocket is down', () => {
  it('pauses the READY agent with PHONE and clears its leg once the worker reconnects, in one event; a leg that survived is left alone', async () => {
    const alice = ids.alice as AgentId;
    const bob = ids.bob as AgentId;
    const aliceLeg = await readyWithLeg('alice');
    const bobLeg = await readyWithLeg('bob');
    const before = eventsOf(alice).length;

    await whileEventsDown(async () => {
      await phoneHangsUp('alice');
      expect(await channelExists(aliceLeg)).toBe(false);
      // Nobody heard its ChannelDestroyed.
      expect(await agent(alice)).toMatchObject({ state: 'READY', legChannelId: aliceLeg });
    });

    await waitFor('alice paused', async () => (await agent(alice))?.state === 'PAUSED');
    expect(await agent(alice)).toMatchObject({
      state: 'PAUSED',
      pauseCode: 'PHONE',
      legChannelId: null,
      bridgeId: null,
    });
    await waitFor('the event', () => eventsOf(alice).length > before);
    expect(lines(eventsOf(alice).slice(before))).toEqual(['READY->PAUSED PHONE system:phone-lost']);
    // Bob's leg lived through the outage: he still waits for calls on it.
    expect(await channelExists(bobLeg)).toBe(true);
    expect(await agent(bob)).toMatchObject({
      state: 'READY',
      legChannelId: bobLeg,
      bridgeId: `agent-${bob}`,
    });
    expect((await ari.getBridge(`agent-${bob}`)).channels).toEqual([bobLeg]);
  });

  it('does not pause the agent again on the next resync', async () => {
    const alice = ids.alice as AgentId;
    const bob = ids.bob as AgentId;
    const carol = ids.carol as AgentId;
    const bobLeg = (await agent(bob))?.legChannelId;
    await readyWithLeg('carol');
    const aliceBefore = eventsOf(alice).length;
    const bobBefore = eventsOf(bob).length;
    // Carol's leg goes in a second outage: once she is paused, that resync has run.
    await whileEventsDown(() => phoneHangsUp('carol'));
    await waitFor('carol paused', async () => (await agent(carol))?.pauseCode === 'PHONE');
    await waitFor('her event', () => eventsOf(carol).at(-1)?.to === 'PAUSED');
    expect(eventsOf(alice).length).toBe(aliceBefore);
    expect(eventsOf(bob).length).toBe(bobBefore);
    expect(await agent(alice)).toMatchObject({ state: 'PAUSED', pauseCode: 'PHONE' });
    expect(await agent(bob)).toMatchObject({ state: 'READY', legChannelId: bobLeg });
  });
});

describe("the worker's resync of indexed legs", () => {
  // A worker of its own on the same PBX (its channel list), with a store under its own prefix;
  // the role above follows the events, this one is driven by hand.
  let prefix: string;
  let lstore: RedisStateStore;
  let lsessions: AgentSessionService;
  let index: RedisAgentLegIndex;
  let legWorker: AriCallWorker;
  let n = 0;
  const noLog: CallLogWriter = { start: async () => undefined, step: async () => undefined };

  beforeAll(async () => {
    prefix = testRedisPrefix('leg_lost_resync_w');
    lstore = new RedisStateStore(redis, { prefix });
    lsessions = new AgentSessionService({
      store: lstore,
      log: { record: async () => undefined },
      clock: systemClock,
    });
    index = new RedisAgentLegIndex(redis, prefix);
    const logger = createLogger('silent');
    const legs = new AgentLegService({
      ari,
      store: lstore,
      agents: lsessions,
      app,
      logger,
      index,
      serverId,
    });
    legWorker = new AriCallWorker({
      serverId,
      ari,
      store: lstore,
      callLog: noLog,
      clock: systemClock,
      logger,
      agentLegs: legs.workerHandler(async () => null),
    });
  });

  /** A READY agent of this prefix whose leg is `channelId`, indexed on `on` (undefined: not said). */
  async function readyOn(channelId: string, on: string | undefined): Promise<AgentId> {
    n += 1;
    const id = `${9100 + n}` as AgentId;
    await lsessions.apply(id, { type: 'login', campaignId }, 'agent');
    await index.set(channelId, id, on);
    await lsessions.apply(
      id,
      { type: 'set_leg', bridgeId: `agent-${id}`, legChannelId: channelId },
      'test',
    );
    await lsessions.apply(id, { type: 'ready' }, 'agent');
    return id;
  }
  /** agent.state_changed events of `id` in this prefix's stream, oldest first. */
  async function streamedEvents(id: AgentId): Promise<AgentStateChanged[]> {
    const entries = await redis.xrange(new RedisKeys(prefix).stream('agents'), '-', '+');
    return entries
      .map(
        ([, fields]) => JSON.parse(fields[fields.indexOf('e') + 1] ?? 'null') as AgentStateChanged,
      )
      .filter((e) => e.agentId === id);
  }

  it("pauses the agents whose legs on this server are gone, and leaves live legs and another server's legs alone", async () => {
    // A channel that lives on the PBX (the role's worker ignores its app args).
    await ari.originate({ endpoint: 'PJSIP/keeper', channelId: 'keep-1', app, appArgs: 'test' });
    await waitFor('the channel up', () => channelExists('keep-1'));
    const gone = await readyOn('leg-gone-1', serverId);
    const unsaid = await readyOn('leg-gone-2', undefined); // as the api role's attach records it
    const alive = await readyOn('keep-1', serverId);
    const elsewhere = await readyOn('leg-elsewhere-1', 'pbx-2');

    await legWorker.resync();
    await legWorker.idle();

    for (const [id, leg] of [
      [gone, 'leg-gone-1'],
      [unsaid, 'leg-gone-2'],
    ] as const) {
      expect(await lstore.getAgent(id)).toMatchObject({
        state: 'PAUSED',
        pauseCode: 'PHONE',
        legChannelId: null,
      });
      expect(await index.get(leg)).toBeNull();
    }
    for (const [id, leg] of [
      [alive, 'keep-1'],
      [elsewhere, 'leg-elsewhere-1'],
    ] as const) {
      expect(await lstore.getAgent(id)).toMatchObject({ state: 'READY', legChannelId: leg });
      expect(await index.get(leg)).toBe(id);
    }
    await ari.hangup('keep-1');
  });

  it('pauses once when a resync races the late ChannelDestroyed of the same leg', async () => {
    const id = await readyOn('leg-race-1', serverId);
    const before = (await streamedEvents(id)).length;
    const destroyed = eventJson('ChannelDestroyed', {
      channel: channelJson('leg-race-1'),
      cause: 16,
      cause_txt: 'Normal Clearing',
    }) as unknown as AriEvent;

    await Promise.all([legWorker.resync(), legWorker.handle(destroyed), legWorker.resync()]);
    await legWorker.idle();

    expect(await lstore.getAgent(id)).toMatchObject({
      state: 'PAUSED',
      pauseCode: 'PHONE',
      legChannelId: null,
    });
    expect(lines((await streamedEvents(id)).slice(before))).toEqual([
      'READY->PAUSED PHONE system:phone-lost',
    ]);
    expect(legWorker.stats.failed).toBe(0);
  });

  it('lists legs from its set of channel ids, and drops members whose entry expired', async () => {
    await index.set('list-a', 'la' as AgentId, serverId);
    await index.set('list-b', 'lb' as AgentId);
    // The TTL backstop removed list-b's entry; the set still names it.
    await redis.del(new RedisKeys(prefix).agentLeg('list-b'));
    const listed = (await index.list()).filter((l) => l.channelId.startsWith('list-'));
    expect(listed).toEqual([{ channelId: 'list-a', agentId: 'la', serverId }]);
    expect(await redis.sismember(new RedisKeys(prefix).agentLegs(), 'list-b')).toBe(0);
    await index.delete('list-a');
    expect(await redis.sismember(new RedisKeys(prefix).agentLegs(), 'list-a')).toBe(0);
    expect((await index.list()).some((l) => l.channelId.startsWith('list-'))).toBe(false);
  });
});
