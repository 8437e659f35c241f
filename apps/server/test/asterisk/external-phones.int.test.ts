import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentId, CampaignId } from '@ringside/protocol';
import { createDb } from '../../src/adapters/postgres/database.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { mapError } from '../../src/http/errors.js';
import { systemClock } from '../../src/ports/clock.js';
import { startAgentCallControl, type AgentCallControl } from '../../src/roles/api-agents.js';
import { PhoneUnreachableError } from '../../src/services/telephony/agent-phone.js';
import { createCampaignWithList } from '../helpers/dialer.js';
import { startLegRig, type LegRig } from '../helpers/leg-rig.js';
import { channelExists, simPhones } from '../helpers/sim-worker.js';
import { waitFor } from '../helpers/wait.js';

/**
 * External phones (users.sip_endpoint) on the simulated PBX, which answers 500 "Allocation
 * failed" for an endpoint it does not know or that is not registered, as Asterisk does: the api
 * role's call control (connectLeg) dials the endpoint, a phone that cannot be called gives only
 * its own agent a clear 409, and after an Asterisk "restart" (events down, every channel gone,
 * events up: the worker's resync finds the legs gone) the worker role calls the external phones
 * again until they answer, and leaves browser phones to dial in by themselves.
 */

let rig: LegRig;
let control: AgentCallControl;
let campaignId: CampaignId;
const ids: Record<string, AgentId> = {};
const app = 'dialer';

const agent = (name: string) => rig.store.getAgent(ids[name] as AgentId);
const connect = (name: string) => control.telephony.connectLeg(ids[name] as AgentId);
const sim = (path: string) => fetch(`${rig.pbx.url}/_sim/${path}`, { method: 'POST' });

beforeAll(async () => {
  rig = await startLegRig('external_phones', app, {
    endpoints: [
      { id: 'desk-104' },
      { id: 'desk-105', registered: false },
      { id: 'ivy', webrtc: true },
    ],
  });
  ({ campaignId } = await createCampaignWithList(rig.db.pool, {
    name: 'ext',
    active: true,
    dialMethod: 'progressive',
  }));
  const u = await rig.db.pool.query<{ id: string; username: string }>(
    `INSERT INTO users (username, display_name, role, password_hash, phone_type, sip_endpoint) VALUES
       ('erin', 'E', 'agent', 'x', 'sip', 'PJSIP/desk-104'),
       ('fred', 'F', 'agent', 'x', 'sip', 'PJSIP/no-such-phone'),
       ('gina', 'G', 'agent', 'x', 'sip', 'desk-105'),
       ('hank', 'H', 'agent', 'x', 'sip', 'Local/agent@agents'),
       ('ivy', 'I', 'agent', 'x', 'webrtc', NULL)
     RETURNING id::text, username`,
  );
  for (const r of u.rows) ids[r.username] = r.id as AgentId;
  for (const name of Object.keys(ids)) {
    await rig.sessions.apply(ids[name] as AgentId, { type: 'login', campaignId }, 'agent');
  }
  control = await startAgentCallControl({
    pool: rig.db.pool,
    db: createDb(rig.db.pool),
    redis: rig.redis,
    prefix: rig.sim.prefix,
    store: rig.store,
    bus: new RedisEventBus(rig.redis, { prefix: rig.sim.prefix, blockMs: 200 }),
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    ariServers: [rig.sim.server],
    simulated: true,
    app,
    dialTemplate: 'Local/{digits}@sim-customers',
    wrapupCheckMs: 3_600_000,
  });
});

afterAll(async () => {
  await control?.stop();
  await rig?.close();
});

describe("the agent's leg dials users.sip_endpoint", () => {
  it('PJSIP/desk-104: Asterisk rings that phone, and its leg joins the agent’s bridge', async () => {
    expect(await connect('erin')).toBe('up');
    const s = await agent('erin');
    const leg = s?.legChannelId ?? '';
    expect((await rig.ari.getChannel(leg)).name).toMatch(/^PJSIP\/desk-104-/);
    expect((await rig.ari.getBridge(`agent-${ids.erin}`)).channels).toEqual([leg]);
  });

  it('a Local/ dial string works too', async () => {
    expect(await connect('hank')).toBe('up');
    const leg = (await agent('hank'))?.legChannelId ?? '';
    expect((await rig.ari.getChannel(leg)).name).toMatch(/^Local\/agent@agents-/);
  });

  it('a phone Asterisk does not know, or one not registered: a 409 saying why, to that agent only', async () => {
    for (const name of ['fred', 'gina']) {
      const err = await connect(name).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(PhoneUnreachableError);
      expect((err as PhoneUnreachableError).failure).toBe('no_such_phone');
      // The API answer: 409 with the reason (a 5xx would say only "service unavailable").
      const mapped = mapError(err);
      expect(mapped.status).toBe(409);
      expect(JSON.stringify(mapped.body)).toContain('Allocation failed');
      expect(JSON.stringify(mapped.body)).not.toContain('no-such-phone');
      expect(await agent(name)).toMatchObject({ state: 'PAUSED', legChannelId: null });
      // No empty bridge is left behind on Asterisk.
      expect(
        await rig.ari.getBridge(`agent-${ids[name]}`).then(
          () => 'there',
          () => 'gone',
        ),
      ).toBe('gone');
    }
    // Nobody else lost anything.
    expect(await channelExists(rig.ari, (await agent('erin'))?.legChannelId ?? '')).toBe(true);
  });
});

describe('after an Asterisk restart', () => {
  it('calls the external phones again until they answer; a browser phone is left to dial in', async () => {
    const ivyLeg = await simPhones(rig.pbx).login('ivy');
    await waitFor('ivy’s leg', async () => (await agent('ivy'))?.legChannelId === ivyLeg);
    await rig.sessions.apply(ids.erin as AgentId, { type: 'ready' }, 'agent');
    const before = (await agent('erin'))?.legChannelId ?? '';
    const hankBefore = (await agent('hank'))?.legChannelId ?? '';

    // Asterisk goes away with every channel (its events lost), then comes back.
    expect((await sim('events/down')).status).toBe(204);
    expect((await sim('reset')).status).toBe(204);
    expect(await channelExists(rig.ari, before)).toBe(false);
    expect((await sim('events/up')).status).toBe(204);

    // The worker's resync finds the legs gone (erin paused PHONE), then calls the phones again.
    await waitFor('erin’s desk phone called again', async () => {
      const s = await agent('erin');
      return !!s?.legChannelId && s.legChannelId !== before;
    });
    const erin = await agent('erin');
    expect(erin).toMatchObject({ state: 'PAUSED', pauseCode: 'PHONE' });
    expect((await rig.ari.getChannel(erin?.legChannelId ?? '')).name).toMatch(/^PJSIP\/desk-104-/);
    expect((await rig.ari.getBridge(`agent-${ids.erin}`)).channels).toEqual([erin?.legChannelId]);
    expect(
      rig.agentEvents
        .filter((e) => e.agentId === ids.erin)
        .some((e) => e.to === 'PAUSED' && e.reason === 'system:phone-lost'),
    ).toBe(true);
    await waitFor('hank’s Local phone called again', async () => {
      const l = (await agent('hank'))?.legChannelId;
      return !!l && l !== hankBefore;
    });
    // The browser phone is not called: its leg stays gone until it dials `login` again.
    expect((await agent('ivy'))?.legChannelId).toBeNull();
    // Erin may go ready again and take calls.
    await rig.sessions.apply(ids.erin as AgentId, { type: 'ready' }, 'agent');
    expect((await agent('erin'))?.state).toBe('READY');
  }, 40_000);
});
