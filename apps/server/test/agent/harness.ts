import pino from 'pino';
import WebSocket from 'ws';
import type { Redis } from 'ioredis';
import { startSimPbx, type SimPbx } from '@ringside/sim';
import type { AgentId, CallId, CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { AgentLogRepository } from '../../src/adapters/postgres/agent-log.js';
import { CallLogRepository } from '../../src/adapters/postgres/call-log.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { ManualClock } from '../../src/ports/clock.js';
import { answeredHuman } from '../helpers/live-call.js';
import { agentsCoreOn } from '../helpers/agents-core.js';
import { startAgentCallControl, type AgentCallControl } from '../../src/roles/api-agents.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { redisTestContext, type RedisTestContext } from '../redis/redis-harness.js';

/**
 * The api role's agent call control (roles/api.ts startAgentCallControl) on the real PostgreSQL
 * and Redis, with the simulated PBX as Asterisk. The clock is manual (wrap-up timeouts), and the
 * wrap-up sweep runs only when a test calls it.
 */
export interface AgentHarness {
  db: TestDb;
  rc: RedisTestContext;
  redis: Redis;
  pbx: SimPbx;
  clock: ManualClock;
  store: RedisStateStore;
  bus: RedisEventBus;
  sessions: AgentSessionService;
  control: AgentCallControl;
  campaignId: CampaignId;
  listId: ListId;
  /** Agents (user ids) a1 and a2, with usernames agent1 / agent2. */
  a1: AgentId;
  a2: AgentId;
  /** A lead plus a call_log row and live_call for it, the agent INCALL on it. */
  callFor(agentId: AgentId, opts?: { attempts?: number; zone?: string }): Promise<TestCall>;
  /** Moves the agent through login/ready/reserve/connect onto `callId`. */
  agentOnCall(agentId: AgentId, callId: CallId): Promise<void>;
  /** The simulated PBX's ARI, as a test drives it. */
  ari: AriRestClient;
  /** Dials the call's customer into the app (the simulated customer answers by itself). */
  dialCustomer(call: TestCall): Promise<void>;
  close(): Promise<void>;
}

export interface TestCall {
  callId: CallId;
  leadId: LeadId;
  phone: E164;
}

let seq = 0;

export async function createAgentHarness(label: string): Promise<AgentHarness> {
  const db = await createTestDb(label);
  const rc = await redisTestContext(label);
  const pbx = await startSimPbx({
    port: 0,
    // Every customer answers quickly and stays on the line until someone hangs up.
    defaultProfile: {
      mix: { human: 1, machine: 0, noanswer: 0, busy: 0, congestion: 0 },
      humanRingMs: 50,
      humanTalkMs: 600_000,
    },
    // The agents' phones (PJSIP/<username>).
    endpoints: ['agent1', 'agent2'],
  });
  // Asterisk hangs up a channel sent to a Stasis app nobody is connected to: stand in for the
  // ARI worker's events socket (the worker itself is not under test here).
  const appSocket = new WebSocket(pbx.eventsUrl);
  await new Promise<void>((resolve, reject) => {
    appSocket.once('open', () => resolve());
    appSocket.once('error', reject);
  });
  const clock = new ManualClock(Date.now());
  const logger = pino({ level: 'silent' });
  const store = new RedisStateStore(rc.redis, { prefix: rc.prefix, clock });
  const bus = new RedisEventBus(rc.redis, { prefix: rc.prefix, clock, logger, blockMs: 200 });
  const sessions = new AgentSessionService({
    store,
    log: new AgentLogRepository(db.pool),
    clock,
  });

  const c = await db.pool.query<{ id: string }>(
    `INSERT INTO campaigns (name, active, wrapup_s, wrapup_default_disposition, max_attempts)
     VALUES ('calls', true, 30, 'NI', 5) RETURNING id::text`,
  );
  const campaignId = (c.rows[0]?.id ?? '') as CampaignId;
  const l = await db.pool.query<{ id: string }>(
    `INSERT INTO lists (campaign_id, name) VALUES ($1, 'l') RETURNING id::text`,
    [campaignId],
  );
  const listId = (l.rows[0]?.id ?? '') as ListId;
  await db.pool.query(
    `INSERT INTO dispositions (campaign_id, code, name, dnc, callback, final) VALUES
       (NULL, 'NI', 'Not interested', false, false, false),
       (NULL, 'SALE', 'Sale', false, false, true),
       (NULL, 'DNC', 'Do not call', true, false, false),
       ($1, 'CB', 'Call back', false, true, false)`,
    [campaignId],
  );
  const u = await db.pool.query<{ id: string }>(
    `INSERT INTO users (username, display_name, role, password_hash) VALUES
       ('agent1', 'A1', 'agent', 'x'), ('agent2', 'A2', 'agent', 'x') RETURNING id::text`,
  );
  const a1 = (u.rows[0]?.id ?? '') as AgentId;
  const a2 = (u.rows[1]?.id ?? '') as AgentId;

  const control = await startAgentCallControl({
    ...agentsCoreOn(db, rc, { store, bus, clock, logger }),
    ariServers: [
      { id: 'sim', baseUrl: pbx.ariUrl, user: 'ringside', password: 'ringside', app: 'dialer' },
    ],
    simulated: true,
    app: 'dialer',
    dialTemplate: 'Local/{digits}@sim-customers',
    wrapupCheckMs: 3_600_000,
  });
  const callLog = new CallLogRepository(db.pool);

  const agentOnCall = async (agentId: AgentId, callId: CallId) => {
    const s = await store.getAgent(agentId);
    if (!s || s.state === 'LOGGED_OUT') {
      await sessions.apply(agentId, { type: 'login', campaignId }, 'test');
    }
    const now = await store.getAgent(agentId);
    if (now?.state !== 'READY') await sessions.apply(agentId, { type: 'ready' }, 'test');
    await sessions.apply(agentId, { type: 'reserve', callId }, 'test');
    await sessions.apply(agentId, { type: 'connect', callId }, 'test');
  };

  const ari = new AriRestClient({ baseUrl: pbx.ariUrl, user: 'ringside', password: 'ringside' });
  return {
    ari,
    async dialCustomer(call) {
      await ari.originate({
        endpoint: `Local/${call.phone.slice(1)}@sim-customers`,
        channelId: call.callId,
        otherChannelId: `${call.callId}-2`,
        app: 'dialer',
        appArgs: 'test',
      });
    },
    db,
    rc,
    redis: rc.redis,
    pbx,
    clock,
    store,
    bus,
    sessions,
    control,
    campaignId,
    listId,
    a1,
    a2,
    agentOnCall,
    async callFor(agentId, opts = {}) {
      seq += 1;
      const phone = `+1415555${String(1000 + seq).padStart(4, '0')}` as E164;
      const zone = opts.zone ?? 'America/Los_Angeles';
      const lead = await db.pool.query<{ id: string }>(
        `INSERT INTO leads (list_id, phone, time_zone, tz_candidates, tz_key, attempts, hopper_at)
         VALUES ($1, $2, $3, ARRAY[$3], $3, $4, now()) RETURNING id::text`,
        [listId, phone, zone, opts.attempts ?? 1],
      );
      const leadId = (lead.rows[0]?.id ?? '') as LeadId;
      const callId = `ctest${label}${seq}` as CallId;
      const atMs = clock.nowMs();
      await callLog.start({
        callId,
        campaignId,
        listId,
        leadId,
        phone,
        attempt: opts.attempts ?? 1,
        manual: false,
        serverId: 'sim',
        channelId: callId,
        agentId,
        originatedAtMs: atMs,
      });
      const live = answeredHuman(
        {
          callId,
          campaignId,
          leadId,
          listId,
          phone,
          serverId: 'sim',
          agentId,
          attempt: opts.attempts ?? 1,
        },
        atMs,
        `agent-${agentId}`,
      );
      await store.putCall(live, {
        type: 'call.bridged',
        callId,
        agentId,
        bridgeId: `agent-${agentId}`,
        atMs,
      });
      await agentOnCall(agentId, callId);
      return { callId, leadId, phone };
    },
    async close() {
      await control.stop();
      appSocket.close();
      await pbx.stop();
      await rc.cleanup();
      await db.drop();
    },
  };
}
