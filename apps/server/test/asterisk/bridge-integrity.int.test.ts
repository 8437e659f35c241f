import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentId, CallEnded, CallId, CampaignId, E164, ListId } from '@ringside/protocol';
import { startSimPbx, type SimPbx } from '@ringside/sim';
import { CallLogRepository } from '../../src/adapters/postgres/call-log.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { createLogger } from '../../src/logger.js';
import type { Subscription } from '../../src/ports/event-bus.js';
import type { LiveCall } from '../../src/ports/state-store.js';
import { startCustomerHangupWatcher } from '../../src/services/disposition.js';
import { createCampaignWithList } from '../helpers/dialer.js';
import { startLegRig, type LegRig } from '../helpers/leg-rig.js';
import { simPhones } from '../helpers/sim-worker.js';
import { waitFor } from '../helpers/wait.js';
import { bridgeIntegrityChecks, startBridgeRig, type BridgeRig } from './bridge-scenarios.js';

/**
 * Bridge integrity (docs/telephony.md): the ARI worker follows channels leaving agents' bridges.
 * First the checks `npm run test:asterisk` runs on a real Asterisk, here on the simulated PBX;
 * then the ari-worker role (Redis, PostgreSQL) meeting the simulator's codec ejection.
 */

describe('bridge integrity on the simulated PBX (the real-Asterisk checks)', () => {
  let pbx: SimPbx;
  let rig: BridgeRig;
  beforeAll(async () => {
    pbx = await startSimPbx({
      port: 0,
      // Humans (last digit 0-4) answer fast, AMD decides fast, and they stay on the line.
      defaultProfile: { humanRingMs: 100, amdHumanDecisionMs: 200, humanTalkMs: 120_000 },
    });
    rig = await startBridgeRig(
      { id: 'sim', baseUrl: pbx.ariUrl, user: 'ringside', password: 'ringside', app: 'dialer' },
      { runId: 'sim' },
    );
  });
  afterAll(async () => {
    await rig?.close();
    await pbx?.stop();
  });
  bridgeIntegrityChecks(
    () => rig,
    { it, expect },
    (n) => `55512340${n}1`,
  );
});

describe('bridge integrity on the ari-worker role: a bridge that cannot translate codecs', () => {
  let rig: LegRig;
  let sub: Subscription;
  let watcher: Subscription;
  let campaignId: CampaignId;
  let listId: ListId;
  const ended: CallEnded[] = [];
  const ids: Record<string, AgentId> = {};

  beforeAll(async () => {
    rig = await startLegRig('bridge_integrity', 'dialer', {
      defaultProfile: {
        mix: { human: 100, machine: 0, noanswer: 0, busy: 0, congestion: 0 },
        humanRingMs: 50,
        humanTalkMs: 600_000,
      },
      // olga's browser phone and Asterisk agree on Opus, which this Asterisk cannot translate
      // (no codec_opus, as on the build of issue 11); uma's agree on G.711.
      endpoints: [
        { id: 'olga', allow: ['opus', 'ulaw'], webrtc: true },
        { id: 'uma', allow: ['ulaw', 'opus'], webrtc: true },
      ],
    });
    ({ campaignId, listId } = await createCampaignWithList(rig.db.pool, {
      name: 'bridges',
      active: true,
      dialMethod: 'progressive',
    }));
    const u = await rig.db.pool.query<{ id: string; username: string }>(
      `INSERT INTO users (username, display_name, role, password_hash, phone_type) VALUES
         ('olga', 'O', 'agent', 'x', 'webrtc'), ('uma', 'U', 'agent', 'x', 'webrtc')
       RETURNING id::text, username`,
    );
    for (const r of u.rows) ids[r.username] = r.id as AgentId;
    const bus = new RedisEventBus(rig.redis, { prefix: rig.sim.prefix, blockMs: 200 });
    sub = await bus.subscribe({
      from: 'latest',
      onEvent: (env) => {
        if (env.event.type === 'call.ended') ended.push(env.event);
      },
    });
    // The api role's watcher: an agent whose call ended under it goes on to DEAD (wrap-up).
    watcher = await startCustomerHangupWatcher({
      bus,
      store: rig.store,
      sessions: rig.sessions,
      logger: createLogger('silent'),
    });
    for (const name of ['olga', 'uma']) {
      const agentId = ids[name] as AgentId;
      await rig.sessions.apply(agentId, { type: 'login', campaignId }, 'agent');
      const leg = await simPhones(rig.pbx).login(name);
      await waitFor(
        `${name}'s leg`,
        async () => (await rig.store.getAgent(agentId))?.legChannelId === leg,
      );
    }
  });
  afterAll(async () => {
    await watcher?.close();
    await sub?.close();
    await rig?.close();
  });

  let seq = 0;
  /** A live human answer for `agentId` (call_log row, live_call), its channel answered in the app. */
  async function customerFor(agentId: AgentId): Promise<CallId> {
    seq += 1;
    const callId = `bint${seq}` as CallId;
    const phone = `+1415555${String(2000 + seq)}` as E164;
    const lead = await rig.db.pool.query<{ id: string }>(
      `INSERT INTO leads (list_id, phone, time_zone, tz_candidates, tz_key, attempts)
       VALUES ($1, $2, 'America/Los_Angeles', ARRAY['America/Los_Angeles'], 'America/Los_Angeles', 1)
       RETURNING id::text`,
      [listId, phone],
    );
    const leadId = lead.rows[0]?.id as LiveCall['leadId'];
    const now = Date.now();
    await new CallLogRepository(rig.db.pool).start({
      callId,
      campaignId,
      listId,
      leadId,
      phone,
      attempt: 1,
      manual: false,
      serverId: 'sim',
      channelId: callId,
      agentId: null,
      originatedAtMs: now,
    });
    const live: LiveCall = {
      callId,
      campaignId,
      leadId,
      listId,
      phone,
      stage: 'AMD',
      serverId: 'sim',
      channelId: callId,
      bridgeId: null,
      agentId,
      manual: false,
      attempt: 1,
      originatedAtMs: now,
      ringingAtMs: now,
      answeredAtMs: now,
      amdAtMs: now,
      amdResult: 'HUMAN',
      waitingAtMs: null,
      bridgedAtMs: null,
      droppedAtMs: null,
      endedAtMs: null,
    };
    await rig.store.putCall(live, {
      type: 'call.amd',
      callId,
      result: 'HUMAN',
      cause: 'HUMAN-1-1',
      atMs: now,
    });
    await rig.ari.originate({
      endpoint: `Local/${phone.slice(1)}@sim-customers`,
      channelId: callId,
      otherChannelId: `${callId}-2`,
      app: 'dialer',
      appArgs: 'test',
    });
    await waitFor('the customer in the app', async () => {
      const ch = await rig.ari.getChannel(callId).catch(() => null);
      return ch?.state === 'Up' && ch.dialplan.app_name === 'Stasis';
    });
    // The dialer's hand-off: reserved, the customer added, then INCALL.
    await rig.sessions.apply(agentId, { type: 'ready' }, 'agent');
    await rig.sessions.apply(agentId, { type: 'reserve', callId }, 'dialer');
    await rig.ari.addChannel(`agent-${agentId}`, callId);
    await rig.sessions.apply(agentId, { type: 'connect', callId }, 'dialer');
    return callId;
  }

  const codecEjections = async () => {
    const r = await fetch(`${rig.pbx.url}/_sim/stats`);
    return ((await r.json()) as { codecEjections: number }).codecEjections;
  };

  it('a customer the bridge ejects at once ends as BRIDGE_REFUSED: logged, hung up, agent to DEAD', async () => {
    const olga = ids.olga as AgentId;
    const before = await codecEjections();
    const callId = await customerFor(olga);
    await waitFor('call.ended', () => ended.some((e) => e.callId === callId));
    const end = ended.find((e) => e.callId === callId);
    expect(end).toMatchObject({
      outcome: 'HUMAN',
      reason: 'BRIDGE_REFUSED',
      agentId: olga,
      hangupCause: null,
    });
    // Not put back: a re-add would only be ejected again.
    expect((await codecEjections()) - before).toBe(1);
    await waitFor(
      'the customer hung up',
      async () => (await rig.ari.getChannel(callId).catch(() => null)) === null,
    );
    await waitFor(
      'the agent moved on',
      async () => (await rig.store.getAgent(olga))?.state === 'DEAD',
    );
    expect(await rig.store.getAgent(olga)).toMatchObject({
      callId,
      legChannelId: expect.any(String),
    });
    // The agent's leg stays in its bridge for the next call.
    const leg = (await rig.store.getAgent(olga))?.legChannelId;
    expect((await rig.ari.getBridge(`agent-${olga}`)).channels).toEqual([leg]);
    await waitFor('call_log closed', async () => {
      const row = await new CallLogRepository(rig.db.pool).get(callId);
      return row?.endReason === 'BRIDGE_REFUSED';
    });
    expect(await new CallLogRepository(rig.db.pool).get(callId)).toMatchObject({
      outcome: 'HUMAN',
      endReason: 'BRIDGE_REFUSED',
    });
    expect(await rig.store.getCall(callId)).toBeNull();
  });

  it('with a codec both sides share the customer stays and nothing is reported', async () => {
    const uma = ids.uma as AgentId;
    const before = await codecEjections();
    const callId = await customerFor(uma);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await codecEjections()) - before).toBe(0);
    expect(await rig.store.getCall(callId)).toMatchObject({ stage: 'BRIDGED' });
    expect((await rig.ari.getBridge(`agent-${uma}`)).channels).toContain(callId);
    // The customer hangs up: an ordinary end, no reason.
    await rig.ari.hangup(`${callId}-2`);
    await waitFor('call.ended', () => ended.some((e) => e.callId === callId));
    expect(ended.find((e) => e.callId === callId)?.reason).toBeUndefined();
    await waitFor('call_log closed', async () => {
      const row = await new CallLogRepository(rig.db.pool).get(callId);
      return row?.outcome === 'HUMAN';
    });
    expect((await new CallLogRepository(rig.db.pool).get(callId))?.endReason).toBeNull();
  });
});
