import type { CallId, CampaignId, LeadId } from '@ringside/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { TelephonyHealth } from '../../src/adapters/asterisk/telephony-health.js';
import type { CallLogWriter } from '../../src/adapters/postgres/call-log.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { liveCall as fixtureCall } from '../../src/ports/fakes/conformance/fixtures.js';
import { MemoryEventBus } from '../../src/ports/fakes/memory-event-bus.js';
import { MemoryStateStore } from '../../src/ports/fakes/memory-state-store.js';
import type { LiveCall } from '../../src/ports/state-store.js';
import { AriServerSupervisor } from '../../src/roles/ari-server.js';
import { channelJson, eventJson, FakeAriServer, waitFor } from './fake-ari-server.js';

const noLog: CallLogWriter = { start: async () => undefined, step: async () => undefined };

function liveCall(callId: string, serverId: string, over: Partial<LiveCall> = {}): LiveCall {
  return fixtureCall(callId, {
    campaignId: '1' as CampaignId,
    leadId: `l-${callId}` as LeadId,
    stage: 'RINGING',
    serverId,
    originatedAtMs: Date.now() - 60_000,
    ringingAtMs: Date.now() - 50_000,
    ...over,
  });
}

let server: FakeAriServer | null = null;
let sup: AriServerSupervisor | null = null;
afterEach(async () => {
  await sup?.stop();
  await server?.stop();
  sup = null;
  server = null;
});

async function setup(
  opts: { lostCallsAfterMs?: number; startServer?: boolean; onLost?: () => Promise<void> } = {},
) {
  server = new FakeAriServer();
  await server.start();
  const port = server.port;
  if (opts.startServer === false) await server.stop();
  const bus = new MemoryEventBus();
  const store = new MemoryStateStore(bus);
  const health = new TelephonyHealth();
  const serverId = `127.0.0.1:${port}`;
  sup = new AriServerSupervisor({
    server: {
      id: serverId,
      baseUrl: server.baseUrl,
      user: 'ringside',
      password: 'ringside',
      app: 'dialer',
    },
    store,
    bus,
    callLog: noLog,
    clock: systemClock,
    logger: createLogger('silent'),
    health,
    reconnectBaseMs: 20,
    reconnectMaxMs: 50,
    lostCallsAfterMs: opts.lostCallsAfterMs ?? 60_000,
    ...(opts.onLost ? { onLost: opts.onLost } : {}),
  });
  return { bus, store, health, serverId, port, srv: server, s: sup };
}

describe('ARI worker faults', () => {
  it('Asterisk unreachable at start: telephony reported down, then up when it answers', async () => {
    const { bus, health, serverId, port, srv, s } = await setup({ startServer: false });
    s.start();
    await waitFor(() => health.snapshot().length === 1);
    expect(health.snapshot()[0]).toMatchObject({ serverId, up: false, reason: 'cannot connect' });
    expect(health.allUp()).toBe(false);
    await srv.start(port);
    await waitFor(() => health.allUp(), 5_000);
    const statuses = bus.events().filter((e) => e.type === 'telephony.status');
    expect(statuses.map((e) => e.type === 'telephony.status' && e.up)).toEqual([false, true]);
  });

  it('after a reconnect, calls whose channels vanished are ended and the others stay live', async () => {
    const { bus, store, serverId, srv, s } = await setup();
    await store.putCall(liveCall('gone', serverId), {
      type: 'call.ringing',
      callId: 'gone' as CallId,
      atMs: 1,
    });
    await store.putCall(liveCall('alive', serverId), {
      type: 'call.ringing',
      callId: 'alive' as CallId,
      atMs: 1,
    });
    await store.putCall(liveCall('other-server', 'elsewhere:8088'), {
      type: 'call.ringing',
      callId: 'other-server' as CallId,
      atMs: 1,
    });
    srv.channels = [channelJson('gone'), channelJson('alive', 'Ringing')];
    s.start();
    await waitFor(() => s.stream.isUp);
    await s.worker.idle();
    expect((await store.listCalls()).map((c) => c.callId)).toEqual([
      'alive',
      'gone',
      'other-server',
    ]);
    // Lost mid-call: while the link is down, "gone" hangs up and Asterisk sends nothing we see.
    srv.channels = [channelJson('alive', 'Up')];
    srv.dropClients();
    await waitFor(async () => (await store.getCall('gone' as CallId)) === null);
    await s.worker.idle();
    const alive = await store.getCall('alive' as CallId);
    expect(alive?.answeredAtMs).not.toBeNull();
    const ended = bus.events().filter((e) => e.type === 'call.ended');
    expect(ended).toMatchObject([{ callId: 'gone', outcome: 'NO_ANSWER', hangupCause: null }]);
    expect(bus.events().some((e) => e.type === 'call.answered' && e.callId === 'alive')).toBe(true);
    expect(await store.getCall('other-server' as CallId)).not.toBeNull();
  });

  it('Asterisk gone longer than the limit: its calls are ended once (SERVER_LOST), then the server is declared lost', async () => {
    const lost: number[] = [];
    const { bus, store, serverId, srv, s } = await setup({
      lostCallsAfterMs: 100,
      onLost: async () => {
        // Declared lost after its calls were ended (a fleet then re-homes its agents).
        lost.push((await store.listCalls()).length);
      },
    });
    srv.channels = [channelJson('c1')];
    await store.putCall(
      liveCall('c1', serverId, {
        stage: 'BRIDGED',
        answeredAtMs: 1,
        amdResult: 'HUMAN',
        bridgedAtMs: 2,
      }),
      {
        type: 'call.answered',
        callId: 'c1' as CallId,
        atMs: 1,
      },
    );
    s.start();
    await waitFor(() => s.stream.isUp);
    await srv.stop();
    await waitFor(async () => (await store.listCalls()).length === 0, 3_000);
    await waitFor(() => lost.length === 1, 3_000);
    expect(lost).toEqual([0]);
    const ended = bus.events().filter((e) => e.type === 'call.ended');
    expect(ended).toMatchObject([{ callId: 'c1', outcome: 'HUMAN', reason: 'SERVER_LOST' }]);
  });

  it('events of a live call arriving over the socket become domain events', async () => {
    const { bus, store, serverId, srv, s } = await setup();
    srv.channels = [channelJson('c9', 'Down')];
    await store.putCall(
      liveCall('c9', serverId, { stage: 'DIALING', ringingAtMs: null, originatedAtMs: Date.now() }),
      {
        type: 'call.ringing',
        callId: 'c9' as CallId,
        atMs: 1,
      },
    );
    s.start();
    await waitFor(() => s.stream.isUp);
    srv.send(eventJson('ChannelStateChange', { channel: channelJson('c9', 'Ringing') }));
    srv.send(
      eventJson('ChannelDestroyed', {
        cause: 19,
        cause_txt: 'No answer',
        channel: channelJson('c9', 'Ringing'),
      }),
    );
    await waitFor(() => bus.events().some((e) => e.type === 'call.ended'));
    expect(
      bus
        .events()
        .filter((e) => e.type.startsWith('call.'))
        .map((e) => e.type),
    ).toEqual(['call.ringing', 'call.ringing', 'call.ended']);
  });

  it('a dialer channel reaching the app with no live call (an orphan) is hung up', async () => {
    const { srv, s } = await setup();
    s.start();
    await waitFor(() => s.stream.isUp);
    srv.send(
      eventJson('StasisStart', {
        args: ['amd', 'HUMAN', 'HUMAN-801-800'],
        channel: channelJson('orphan-1'),
      }),
    );
    await waitFor(() =>
      srv.requests.some((r) => r.method === 'DELETE' && r.url.startsWith('/ari/channels/orphan-1')),
    );
  });

  it("a crossing's trunk channel gone under a bridged call ends it once, TRUNK_LOST; a failed crossing's is left alone", async () => {
    const { bus, store, serverId, srv, s } = await setup();
    const bridged = (id: string, server: string) =>
      liveCall(id, server, {
        stage: 'BRIDGED',
        answeredAtMs: 1,
        amdResult: 'HUMAN',
        bridgedAtMs: 2,
        bridgeId: `x-${id}`,
      });
    const put = (c: LiveCall) =>
      store.putCall(c, { type: 'call.answered', callId: c.callId, atMs: 1 });
    // Customer here, agent on another server: the trunk's inbound channel (fleet-in) goes.
    await put(bridged('cx', serverId));
    // Customer on another server, agent here: our trunk leg <callId>-x goes.
    await put(bridged('cy', 'other'));
    // A crossing that failed: the trunk leg hung up before the customer joined the bridge.
    await put(liveCall('cz', 'other', { stage: 'WAITING', answeredAtMs: 1, amdResult: 'HUMAN' }));
    srv.channels = [channelJson('cx')];
    s.start();
    await waitFor(() => s.stream.isUp);
    const inbound = channelJson('1765.42', 'Up', 'PJSIP/fleet-2-00000001');
    inbound.dialplan = {
      context: 'fleet-in',
      exten: 'x-cx',
      priority: 1,
      app_name: 'Stasis',
      app_data: 'dialer,fleet,x-cx',
    };
    const gone = (channel: Record<string, unknown>) =>
      eventJson('ChannelDestroyed', { cause: 44, cause_txt: 'unavailable', channel });
    srv.send(gone(inbound));
    srv.send(gone(channelJson('cy-x', 'Up', 'PJSIP/fleet-2-00000002')));
    srv.send(gone(channelJson('cz-x', 'Up', 'PJSIP/fleet-2-00000003')));
    await waitFor(() => bus.events().filter((e) => e.type === 'call.ended').length >= 2);
    await waitFor(() =>
      srv.requests.some((r) => r.method === 'DELETE' && r.url.startsWith('/ari/channels/cx')),
    );
    // The customer's own hang-up then ends nothing more.
    srv.send(gone(channelJson('cx')));
    await s.worker.idle();
    const ended = bus.events().filter((e) => e.type === 'call.ended');
    expect(ended).toHaveLength(2);
    expect(ended).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ callId: 'cx', reason: 'TRUNK_LOST', outcome: 'HUMAN' }),
        expect.objectContaining({ callId: 'cy', reason: 'TRUNK_LOST', outcome: 'HUMAN' }),
      ]),
    );
    expect(await store.getCall('cz' as CallId)).not.toBeNull();
    // The customer of another server is not ours to hang up.
    expect(srv.requests.some((r) => r.url.startsWith('/ari/channels/cy'))).toBe(false);
  });

  it('resync hangs up dialer channels parked in the app that belong to no live call', async () => {
    const { srv, s } = await setup();
    const parked = channelJson('lost-1');
    parked.dialplan = {
      context: 'dialer-outbound',
      exten: 's',
      priority: 3,
      app_name: 'Stasis',
      app_data: 'dialer,amd,HUMAN,HUMAN-801-800',
    };
    const agentLeg = channelJson('agent-leg-1');
    srv.channels = [parked, agentLeg];
    s.start();
    await waitFor(() =>
      srv.requests.some((r) => r.method === 'DELETE' && r.url.startsWith('/ari/channels/lost-1')),
    );
    expect(srv.requests.some((r) => r.url.startsWith('/ari/channels/agent-leg-1'))).toBe(false);
  });
});
