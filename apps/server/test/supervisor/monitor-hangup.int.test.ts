import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimPbx, type SimPbx } from '@ringside/sim';
import type {
  AgentId,
  AgentMonitorEnded,
  CallId,
  CampaignId,
  E164,
  LeadId,
  ListId,
} from '@ringside/protocol';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { createAuditLog } from '../../src/adapters/postgres/audit.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { systemClock } from '../../src/ports/clock.js';
import type { Subscription } from '../../src/ports/event-bus.js';
import type { RunningRole } from '../../src/roles/context.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import {
  MonitorLegWatcher,
  SupervisorActions,
} from '../../src/services/supervisor/supervisor-actions.js';
import { RedisMonitorRegistry } from '../../src/adapters/redis/supervisor-monitors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { answeredHuman } from '../helpers/live-call.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { simWorkerSetup, startSimWorker } from '../helpers/sim-worker.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The supervisor hangs up their own phone while listening, whispering or barging: on the
 * simulated PBX, with the real ARI worker role, Redis and PostgreSQL. The worker sees the
 * supervisor leg's ChannelDestroyed and ends the monitoring once (agent.monitor.ended, reason
 * supervisor_hung_up): the snoop channel and its bridge go, the agent's call stays. A leg that
 * SupervisorActions hung up itself (stop) ends nothing more.
 */

let db: TestDb;
let pbx: SimPbx;
let redis: Redis;
let worker: RunningRole;
let ari: AriRestClient;
let actions: SupervisorActions;
let registry: RedisMonitorRegistry;
let sub: Subscription;
let agentId: AgentId;
let supervisorId: string;
let leg: string;
const agentBridge = () => `agent-${agentId}`;
const ended: AgentMonitorEnded[] = [];
const started: string[] = [];
/** What the worker's leg handler did with each leg: whether it ended a monitoring. */
const legs: Array<{ channelId: string; endedOne: boolean }> = [];
let n = 0;

const bridgeHas = async (bridgeId: string, channelId: string) =>
  ari.getBridge(bridgeId).then(
    (b) => b.channels.includes(channelId),
    () => false,
  );
const exists = (p: Promise<unknown>) =>
  p.then(
    () => true,
    () => false,
  );
/** The supervisor's simulated phone hangs up (control API of the simulated PBX). */
/** Waits for the worker to handle supervisor leg `sup-<id>`; returns what it did with it. */
const legHandled = async (id: string) => {
  await waitFor('the worker to handle the leg', () =>
    legs.some((l) => l.channelId === `sup-${id}`),
  );
  return legs.filter((l) => l.channelId === `sup-${id}`);
};
const supervisorHangsUp = async () => {
  const r = await fetch(`${pbx.url}/_sim/phones/boss/hangup`, { method: 'POST' });
  expect(r.status).toBe(204);
};

beforeAll(async () => {
  db = await createTestDb('monitor_hangup');
  pbx = await startSimPbx({ port: 0, endpoints: ['agent1', 'boss'] });
  const sim = simWorkerSetup('monitor_hangup', pbx);
  const { prefix, server } = sim;
  redis = new Redis(TEST_REDIS_URL);
  const keys = new RedisKeys(prefix);
  const store = new RedisStateStore(redis, { prefix });
  const bus = new RedisEventBus(redis, { prefix, blockMs: 200 });
  registry = new RedisMonitorRegistry(redis, keys);
  // The role's own watcher, observed: which legs it handled and whether each ended a monitoring.
  const watcher = new MonitorLegWatcher({
    monitors: registry,
    bus,
    audit: createAuditLog(db.pool),
  });
  worker = await startSimWorker(db.pool, pbx, sim, {
    monitorLegs: {
      legGone: async (channelId, a) => {
        const endedOne = await watcher.legGone(channelId, a);
        legs.push({ channelId, endedOne });
      },
    },
  });
  ari = new AriRestClient(server);

  const u = await db.pool.query<{ id: string }>(
    `INSERT INTO users (username, display_name, role, password_hash) VALUES
       ('agent1', 'A1', 'agent', 'x'), ('boss', 'Boss', 'supervisor', 'x') RETURNING id::text`,
  );
  agentId = u.rows[0]?.id as AgentId;
  supervisorId = u.rows[1]?.id as string;
  const sessions = new AgentSessionService({
    store,
    log: { record: async () => undefined },
    clock: systemClock,
  });
  actions = new SupervisorActions({
    sessions,
    store,
    audit: createAuditLog(db.pool),
    monitor: {
      ari,
      app: server.app,
      endpointOf: async () => 'PJSIP/boss',
      newId: () => `mh${++n}`,
    },
    monitors: registry,
    bus,
    clock: systemClock,
  });
  sub = await bus.subscribe({
    from: 'latest',
    onEvent: (env) => {
      const e = env.event;
      if (e.type === 'agent.monitor.ended') ended.push(e);
      if (e.type === 'agent.monitor.started') started.push(e.callId);
    },
  });

  // The agent's phone leg up in its own bridge, and the agent INCALL on a call of another server
  // (only the agent's side matters to monitoring; the worker leaves that call alone).
  leg = `leg-${agentId}`;
  await ari.createBridge(agentBridge(), 'mixing');
  await ari.originate({
    endpoint: 'PJSIP/agent1',
    channelId: leg,
    app: server.app,
    appArgs: `agentleg,${agentId}`,
  });
  await waitFor('the agent leg to answer', async () => (await ari.getChannel(leg)).state === 'Up');
  await ari.addChannel(agentBridge(), leg);
  const callId = 'cmh1' as CallId;
  const campaignId = '1' as CampaignId;
  const now = Date.now();
  await store.putCall(
    answeredHuman(
      {
        callId,
        campaignId,
        leadId: '1' as LeadId,
        listId: '1' as ListId,
        phone: '+14155550100' as E164,
        serverId: 'elsewhere',
        agentId,
        attempt: 1,
      },
      now,
      agentBridge(),
    ),
    { type: 'call.bridged', callId, agentId, bridgeId: agentBridge(), atMs: now },
  );
  await sessions.apply(agentId, { type: 'login', campaignId }, 'test');
  await sessions.apply(
    agentId,
    { type: 'set_leg', bridgeId: agentBridge(), legChannelId: leg },
    'test',
  );
  await sessions.apply(agentId, { type: 'ready' }, 'test');
  await sessions.apply(agentId, { type: 'reserve', callId }, 'test');
  await sessions.apply(agentId, { type: 'connect', callId }, 'test');
});

afterAll(async () => {
  await sub?.close();
  await worker?.stop();
  ari?.close();
  redis?.disconnect();
  await pbx?.stop();
  await db?.drop();
});

describe('the supervisor hangs up their own phone', () => {
  it('while whispering: one agent.monitor.ended (supervisor_hung_up), snoop and bridge gone, the call stays', async () => {
    await actions.monitor(supervisorId, agentId, 'whisper');
    const id = `mh${n}`;
    await waitFor('the supervisor leg in the snoop bridge', () =>
      bridgeHas(`supbr-${id}`, `sup-${id}`),
    );
    expect(await bridgeHas(`supbr-${id}`, `snoop-${id}`)).toBe(true);

    await supervisorHangsUp();
    await waitFor('agent.monitor.ended', () => ended.length === 1);
    await legHandled(id);
    expect(ended[0]).toMatchObject({
      agentId,
      callId: 'cmh1',
      mode: 'whisper',
      supervisorId,
      reason: 'supervisor_hung_up',
    });
    expect(legs).toEqual([{ channelId: `sup-${id}`, endedOne: true }]);
    expect(await registry.get(agentId)).toBeNull();
    expect(await registry.byLeg(`sup-${id}`)).toBeNull();
    expect(await exists(ari.getBridge(`supbr-${id}`))).toBe(false);
    // Hung up; a snoop lingers (out of Stasis) until the leg it spies on goes, as in Asterisk.
    expect(pbx.engine.channels.get(`snoop-${id}`)?.hangingUp ?? true).toBe(true);
    const audit = await createAuditLog(db.pool).list({ target: `agent:${agentId}` });
    expect(audit.filter((a) => a.action === 'supervisor.monitor_hangup')).toEqual([
      expect.objectContaining({
        userId: supervisorId,
        detail: { callId: 'cmh1', mode: 'whisper' },
      }),
    ]);
    // The agent's side of the call is untouched.
    expect(await bridgeHas(agentBridge(), leg)).toBe(true);
    expect(ended).toHaveLength(1);
  });

  it("while barging: the monitoring ends and the agent's own bridge and leg stay", async () => {
    const before = ended.length;
    await actions.monitor(supervisorId, agentId, 'barge');
    const id = `mh${n}`;
    await waitFor('the supervisor leg in the agent bridge', () =>
      bridgeHas(agentBridge(), `sup-${id}`),
    );
    await supervisorHangsUp();
    await waitFor('agent.monitor.ended', () => ended.length === before + 1);
    expect(ended[before]).toMatchObject({ mode: 'barge', reason: 'supervisor_hung_up' });
    expect(await legHandled(id)).toEqual([{ channelId: `sup-${id}`, endedOne: true }]);
    expect(await registry.get(agentId)).toBeNull();
    expect(await bridgeHas(agentBridge(), leg)).toBe(true);
    expect(ended).toHaveLength(before + 1);
  });

  it("stopped from the dashboard first: the leg's own hang-up ends nothing more", async () => {
    const before = ended.length;
    await actions.monitor(supervisorId, agentId, 'listen');
    const id = `mh${n}`;
    await waitFor('the supervisor leg in the snoop bridge', () =>
      bridgeHas(`supbr-${id}`, `sup-${id}`),
    );
    await actions.stopMonitor(supervisorId, agentId);
    await waitFor('agent.monitor.ended', () => ended.length === before + 1);
    expect(ended[before]).toMatchObject({ mode: 'listen', reason: 'stopped' });
    // The stop hung the leg up; the worker sees it go and finds the monitoring already over.
    expect(await legHandled(id)).toEqual([{ channelId: `sup-${id}`, endedOne: false }]);
    expect(await exists(ari.getBridge(`supbr-${id}`))).toBe(false);
    expect(ended).toHaveLength(before + 1);
  });

  it('a new monitoring that replaced one is not ended by the old leg going', async () => {
    await actions.monitor(supervisorId, agentId, 'listen');
    const first = `mh${n}`;
    await waitFor('the first leg in its bridge', () => bridgeHas(`supbr-${first}`, `sup-${first}`));
    const before = ended.length;
    await actions.monitor(supervisorId, agentId, 'whisper');
    const second = `mh${n}`;
    await waitFor('the first monitoring to end', () => ended.length === before + 1);
    expect(ended[before]).toMatchObject({ mode: 'listen', reason: 'stopped' });
    await waitFor('the worker to handle the first leg', () =>
      legs.some((l) => l.channelId === `sup-${first}`),
    );
    expect(legs.find((l) => l.channelId === `sup-${first}`)?.endedOne).toBe(false);
    expect((await registry.get(agentId))?.supLeg).toBe(`sup-${second}`);
    await waitFor('the second leg in its bridge', () =>
      bridgeHas(`supbr-${second}`, `sup-${second}`),
    );
    await supervisorHangsUp();
    await waitFor('the second monitoring to end', () => ended.length === before + 2);
    expect(ended[before + 1]).toMatchObject({ mode: 'whisper', reason: 'supervisor_hung_up' });
    expect(started.length).toBeGreaterThanOrEqual(5);
  });
});
