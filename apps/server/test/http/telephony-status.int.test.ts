import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AsteriskModules,
  type ModulesAri,
  REQUIRED_MODULES,
  telephonyDetails,
} from '../../src/adapters/asterisk/asterisk-modules.js';
import { TelephonyHealth } from '../../src/adapters/asterisk/telephony-health.js';
import { bearer, createHarness, type Harness } from './harness.js';

let h: Harness;
const modules = new AsteriskModules(() => 1_000);
const health = new TelephonyHealth();
const silent = pino({ level: 'silent' });
const running = (names: string[]) =>
  names.map((name) => ({ name: `${name}.so`, status: 'Running' }));

/** The supervisor's telephony route, asked as the given user. */
const telephonyAs = async (username: string) =>
  h.app.inject({
    method: 'GET',
    url: '/api/supervisor/telephony',
    headers: bearer(await h.login(username)),
  });
/** One module check of the ARI server `host` (as `pbx-a:8088`) whose module list is `list`. */
const check = (into: AsteriskModules, host: string, list: ModulesAri['listModules']) =>
  into.check({ id: host, baseUrl: `http://${host}/ari` }, { listModules: list }, silent);

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

describe('telephony status: codecs and modules', () => {
  it('without the module check wired: /health shows no codecs, the supervisor route answers 503', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/health' });
    expect(r.json()).not.toHaveProperty('codecs');
    const s = await telephonyAs(h.users.supervisor.username);
    expect(s.statusCode).toBe(503);
  });

  it('/health says which codecs the phones are offered and what each server lacks', async () => {
    const all = REQUIRED_MODULES.map((m) => m.name);
    await check(modules, 'pbx-a:8088', () =>
      Promise.resolve(running(all.filter((n) => n !== 'app_amd'))),
    );
    await check(modules, 'pbx-b:8088', () => Promise.resolve(running([...all, 'codec_opus'])));
    health.set('pbx-a:8088', true, 'connected', 10);
    health.set('pbx-b:8088', false, 'connection refused', 20);
    h.deps.health.telephonyDetails = () =>
      telephonyDetails(['pbx-a:8088', 'pbx-b:8088'], health, modules);
    h.health.telephony = { 'pbx-a:8088': true, 'pbx-b:8088': true };
    const r = await h.app.inject({ method: 'GET', url: '/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      status: 'up',
      // The first server is where the agents' phones live: G.711 only there.
      codecs: ['ulaw', 'alaw'],
      opusOffered: false,
      missingModules: { 'pbx-a:8088': ['app_amd'], 'pbx-b:8088': [] },
    });
  });

  it("the supervisor's telephony status: per server up/down, modules, codecs; agents may not read it", async () => {
    const s = await telephonyAs(h.users.supervisor.username);
    expect(s.statusCode).toBe(200);
    expect(s.json()).toEqual({
      codecs: ['ulaw', 'alaw'],
      opusOffered: false,
      servers: [
        {
          serverId: 'pbx-a:8088',
          up: true,
          reason: 'connected',
          sinceMs: 10,
          missingModules: ['app_amd'],
          checkFault: null,
          codecs: ['ulaw', 'alaw'],
          opusOffered: false,
        },
        {
          serverId: 'pbx-b:8088',
          up: false,
          reason: 'connection refused',
          sinceMs: 20,
          missingModules: [],
          checkFault: null,
          codecs: ['ulaw', 'alaw', 'opus'],
          opusOffered: true,
        },
      ],
    });
    const a = await telephonyAs(h.users.agent.username);
    expect(a.statusCode).toBe(403);
  });

  it('a server whose check failed shows the cause, and G.711', async () => {
    const m = new AsteriskModules();
    await check(m, 'pbx-a:8088', () => Promise.reject(new Error('boom')));
    const d = telephonyDetails(['pbx-a:8088'], new TelephonyHealth(), m);
    expect(d.servers[0]).toMatchObject({
      up: false,
      reason: 'not connected yet',
      checkFault: expect.stringContaining('boom') as unknown as string,
      codecs: ['ulaw', 'alaw'],
    });
  });
});
