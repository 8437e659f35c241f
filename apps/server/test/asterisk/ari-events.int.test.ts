import type { AriEvent } from '@ringside/ari';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AriEventStream } from '../../src/adapters/asterisk/ari-events.js';
import { channelJson, eventJson, FakeAriServer, waitFor } from './fake-ari-server.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'debug' },
    { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  return { logger, lines };
}

let server: FakeAriServer | null = null;
let stream: AriEventStream | null = null;
afterEach(async () => {
  await stream?.stop();
  await server?.stop();
  stream = null;
  server = null;
});

function open(
  srv: FakeAriServer,
  extra: Partial<ConstructorParameters<typeof AriEventStream>[0]> = {},
) {
  const { logger, lines } = capture();
  const events: AriEvent[] = [];
  const ups: boolean[] = [];
  const downs: string[] = [];
  const s = new AriEventStream({
    baseUrl: srv.baseUrl,
    user: 'ringside',
    password: 'ringside',
    app: 'dialer',
    logger,
    reconnectBaseMs: 20,
    reconnectMaxMs: 100,
    random: () => 0.5,
    onEvent: (e) => void events.push(e),
    onUp: (r) => void ups.push(r),
    onDown: (r) => void downs.push(r),
    ...extra,
  });
  stream = s;
  return { s, events, ups, downs, lines };
}

describe('AriEventStream', () => {
  it('connects to /ari/events with the app, subscribeAll and basic auth', async () => {
    server = new FakeAriServer();
    await server.start();
    const { s, ups } = open(server);
    s.start();
    await waitFor(() => ups.length === 1);
    expect(ups).toEqual([false]);
    const up = server.upgrades[0];
    expect(up?.url).toBe('/ari/events?app=dialer&subscribeAll=true');
    expect(up?.authorization).toBe(`Basic ${Buffer.from('ringside:ringside').toString('base64')}`);
  });

  it('skips invalid events with a log line naming type and reason but no values, and keeps going', async () => {
    server = new FakeAriServer();
    await server.start();
    const { s, ups, events, lines } = open(server);
    s.start();
    await waitFor(() => ups.length === 1);
    server.send('not json');
    server.send({ type: 'NoSuchEvent' });
    server.send(
      eventJson('ChannelStateChange', {
        channel: { ...channelJson('c1'), caller: { name: 'Ann Lee', number: 15551234567 } },
      }),
    );
    server.send(eventJson('ChannelStateChange', { channel: channelJson('c2', 'Ringing') }));
    await waitFor(() => events.length === 1);
    expect(events[0]).toMatchObject({ type: 'ChannelStateChange', channel: { id: 'c2' } });
    const skipped = lines.filter((l) => l.msg === 'ari event skipped: invalid');
    expect(skipped.map((l) => [l.type, l.reason])).toEqual([
      [null, 'not JSON'],
      ['NoSuchEvent', 'unknown event type'],
      ['ChannelStateChange', 'channel.caller.number: invalid_type'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('Ann Lee');
    expect(JSON.stringify(lines)).not.toContain('15551234567');
    expect(s.stats.invalid).toBe(3);
  });

  it('drops event types its owner does not consume before parsing them, and delivers the rest', async () => {
    server = new FakeAriServer();
    await server.start();
    const { s, ups, events } = open(server, { consumedTypes: new Set(['ChannelDestroyed']) });
    s.start();
    await waitFor(() => ups.length === 1);
    server.send(
      eventJson('ChannelVarset', {
        variable: 'X',
        value: '"type":"ChannelDestroyed"',
        channel: channelJson('c1'),
      }),
    );
    server.send(
      eventJson('ChannelDestroyed', {
        cause: 16,
        cause_txt: 'Normal Clearing',
        channel: channelJson('c1'),
      }),
    );
    await waitFor(() => events.length === 1);
    expect(events[0]?.type).toBe('ChannelDestroyed');
    expect(s.stats.ignored).toBe(1);
  });

  it('a handler that throws does not stop the stream', async () => {
    server = new FakeAriServer();
    await server.start();
    let n = 0;
    const { s, ups } = open(server, {
      onEvent: () => {
        n += 1;
        if (n === 1) throw new Error('bug');
      },
    });
    s.start();
    await waitFor(() => ups.length === 1);
    server.send(eventJson('ChannelStateChange', { channel: channelJson('c1') }));
    server.send(eventJson('ChannelStateChange', { channel: channelJson('c2') }));
    await waitFor(() => n === 2);
  });

  it('reconnects with backoff after the server drops it, and says it reconnected', async () => {
    server = new FakeAriServer();
    await server.start();
    const { s, ups, downs } = open(server);
    s.start();
    await waitFor(() => ups.length === 1);
    server.dropClients();
    await waitFor(() => ups.length === 2);
    expect(ups).toEqual([false, true]);
    expect(downs).toHaveLength(1);
    expect(s.stats.reconnects).toBe(1);
  });

  it('detects a dead link by the missing pong and reconnects', async () => {
    server = new FakeAriServer();
    await server.start();
    const { s, ups, downs } = open(server, { pingIntervalMs: 50 });
    s.start();
    await waitFor(() => ups.length === 1);
    server.silence();
    await waitFor(() => downs.length === 1);
    expect(downs[0]).toBe('heartbeat lost (no pong)');
    await waitFor(() => ups.length === 2);
  });

  it('keeps retrying while Asterisk is unreachable at start, with one error line, then connects', async () => {
    server = new FakeAriServer();
    await server.start();
    const port = server.port;
    await server.stop();
    const { s, ups, downs, lines } = open(server);
    s.start();
    await waitFor(() => downs.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(lines.filter((l) => l.level === 50)).toHaveLength(1);
    expect(downs).toEqual(['cannot connect']);
    await server.start(port);
    await waitFor(() => ups.length === 1, 5_000);
  });

  it('reports a refused login (401) as the reason', async () => {
    server = new FakeAriServer({ user: 'ringside', password: 'other' });
    await server.start();
    const { s, downs } = open(server);
    s.start();
    await waitFor(() => downs.length === 1);
    expect(downs[0]).toBe('HTTP 401 on upgrade');
  });
});
