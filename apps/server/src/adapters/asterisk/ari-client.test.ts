import { checkRequest, formatIssues } from '@ringside/ari';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AriRestClient } from './ari-client.js';
import { AriError } from './ari-error.js';
import {
  isAriConflict,
  isAriNotFound,
  isAriUnreachable,
  isServerFault,
} from '../../ports/telephony-errors.js';
import { backoffDelayMs } from './backoff.js';

interface Sent {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

function client(
  respond: (s: Sent) => Response | Promise<Response> = () => new Response(null, { status: 204 }),
) {
  const sent: Sent[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const s: Sent = {
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    sent.push(s);
    return respond(s);
  }) as typeof fetch;
  return {
    c: new AriRestClient({
      baseUrl: 'http://pbx:8088/ari/',
      user: 'ringside',
      password: 's3cret',
      fetch: fetchFn,
    }),
    sent,
  };
}

describe('AriRestClient requests', () => {
  it('every request the client can make matches Asterisk’s description', async () => {
    const { c, sent } = client();
    await c.originate({
      endpoint: 'Local/5551230001@sim-customers',
      channelId: 'c1',
      otherChannelId: 'c1-2',
      context: 'dialer-outbound',
      extension: 's',
      priority: 1,
      callerId: '"Ringside" <5550000000>',
      timeoutS: 25,
      variables: { CALL_ID: 'c1' },
    });
    await c.originate({
      endpoint: 'PJSIP/agent1',
      channelId: 'a1',
      app: 'dialer',
      appArgs: 'agent',
    });
    await c.listChannels();
    await c.getChannel('c1');
    await c.hangup('c1');
    await c.hangup('c1', 'busy');
    await c.answer('c1');
    await c.playOnChannel('c1', 'sound:vm-goodbye', 'pb-1');
    await c.playOnChannel('c1', ['sound:a', 'sound:b']);
    await c.snoop({
      channelId: 'a1',
      snoopId: 'sn-1',
      app: 'dialer',
      appArgs: 'listen',
      spy: 'both',
    });
    await c.snoop({
      channelId: 'a1',
      snoopId: 'wh-1',
      app: 'dialer',
      appArgs: 'whisper',
      whisper: 'out',
    });
    await c.getVariable('c1', 'AMDSTATUS');
    await c.setVariable('c1', 'X', 'y');
    await c.sendDtmf('c1', '12#');
    await c.hold('c1');
    await c.unhold('c1');
    await c.mute('c1', 'in');
    await c.unmute('c1');
    await c.createBridge('agent-1', 'mixing');
    await c.createBridge('hold', 'holding', 'hold');
    await c.listBridges();
    await c.getBridge('agent-1');
    await c.destroyBridge('agent-1');
    await c.addChannel('agent-1', 'c1');
    await c.addChannel('agent-1', ['c1', 'a1']);
    await c.removeChannel('hold', 'c1');
    await c.startBridgeMoh('hold', 'default');
    await c.startBridgeMoh('hold');
    await c.stopBridgeMoh('hold');
    await c.playOnBridge('agent-1', 'sound:beep', 'pb-2');
    await c.getPlayback('pb-1');
    await c.stopPlayback('pb-1');
    await c.listEndpoints();
    await c.getEndpoint('PJSIP', 'agent1');
    await c.ping();
    await c.asteriskInfo();
    await c.recordBridge('agent-1', { name: 'rec-call-1-1', format: 'wav' });
    await c.recordBridge('agent-1', {
      name: 'rec-call-1-2',
      format: 'wav',
      ifExists: 'fail',
      beep: false,
      maxDurationSeconds: 7200,
      terminateOn: 'none',
    });
    await c.recordChannel('c1', { name: 'greeting-1', ifExists: 'overwrite', beep: true });
    await c.getLiveRecording('rec-call-1-1');
    await c.stopRecording('rec-call-1-1');
    await c.cancelRecording('rec-call-1-1');
    await c.pauseRecording('rec-call-1-1');
    await c.unpauseRecording('rec-call-1-1');
    await c.muteRecording('rec-call-1-1');
    await c.unmuteRecording('rec-call-1-1');
    await c.listStoredRecordings();
    await c.getStoredRecording('rec-call-1-1');
    await c.getStoredRecordingFile('rec-call-1-1');
    await c.deleteStoredRecording('rec-call-1-1');
    await c.copyStoredRecording('rec-call-1-1', 'kept/rec-call-1-1');
    expect(sent).toHaveLength(51);
    for (const s of sent) {
      expect(s.url.pathname.startsWith('/ari/')).toBe(true);
      const query = Object.fromEntries(s.url.searchParams);
      const r = checkRequest(s.method, s.url.pathname, query, s.body);
      expect(r.ok, `${s.method} ${s.url.pathname}: ${formatIssues(r)}`).toBe(true);
    }
  });

  it('sends basic auth and the channel ids we chose', async () => {
    const { c, sent } = client();
    await c.originate({ endpoint: 'Local/1@x', channelId: 'call-9', otherChannelId: 'call-9-2' });
    const s = sent[0];
    expect(s?.headers.authorization).toBe(
      `Basic ${Buffer.from('ringside:s3cret').toString('base64')}`,
    );
    expect(s?.url.searchParams.get('channelId')).toBe('call-9');
    expect(s?.url.searchParams.get('otherChannelId')).toBe('call-9-2');
  });

  it('addresses the recording routes with the name, format wav by default', async () => {
    const { c, sent } = client();
    await c.recordBridge('agent-1', { name: 'rec-c1-1', ifExists: 'fail' });
    await c.pauseRecording('rec-c1-1');
    await c.unpauseRecording('rec-c1-1');
    await c.muteRecording('rec-c1-1');
    await c.unmuteRecording('rec-c1-1');
    await c.cancelRecording('rec-c1-1');
    await c.copyStoredRecording('rec-c1-1', 'copy-1');
    expect(sent.map((s) => `${s.method} ${s.url.pathname}${s.url.search}`)).toEqual([
      'POST /ari/bridges/agent-1/record?name=rec-c1-1&format=wav&ifExists=fail',
      'POST /ari/recordings/live/rec-c1-1/pause',
      'DELETE /ari/recordings/live/rec-c1-1/pause',
      'POST /ari/recordings/live/rec-c1-1/mute',
      'DELETE /ari/recordings/live/rec-c1-1/mute',
      'DELETE /ari/recordings/live/rec-c1-1',
      'POST /ari/recordings/stored/rec-c1-1/copy?destinationRecordingName=copy-1',
    ]);
  });

  it('returns a stored recording’s file as bytes, even when they would parse as JSON', async () => {
    const wav = Buffer.from([0x52, 0x49, 0x46, 0x46, 0x00, 0xff, 0x7b, 0x7d]);
    const { c } = client(() => new Response(wav, { headers: { 'content-type': 'audio/wav' } }));
    const file = await c.getStoredRecordingFile('rec-c1-1');
    expect(Buffer.isBuffer(file)).toBe(true);
    expect(file.equals(wav)).toBe(true);
    const { c: c2 } = client(
      () => new Response('{"a":1}', { headers: { 'content-type': 'audio/wav' } }),
    );
    expect((await c2.getStoredRecordingFile('x')).toString('utf8')).toBe('{"a":1}');
  });

  it('turns a missing stored recording into a 404 AriError, not bytes', async () => {
    const { c } = client(() => Response.json({ message: 'Recording not found' }, { status: 404 }));
    const err = await c.getStoredRecordingFile('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AriError);
    expect(err).toMatchObject({
      status: 404,
      asteriskMessage: 'Recording not found',
      operation: 'recordings.getStoredFile',
      kind: 'notFound',
    });
  });

  it('encodes path parameters', async () => {
    const { c, sent } = client();
    await c.getEndpoint('PJSIP', 'agent/1');
    expect(sent[0]?.url.pathname).toBe('/ari/endpoints/PJSIP/agent%2F1');
  });
});

describe('AriRestClient errors', () => {
  it('turns a 404 into an AriError with Asterisk’s message, not retryable', async () => {
    const { c } = client(() => Response.json({ message: 'Channel not found' }, { status: 404 }));
    const err = await c.getChannel('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AriError);
    expect(err).toMatchObject({
      status: 404,
      asteriskMessage: 'Channel not found',
      operation: 'channels.get',
      retryable: false,
      code: 'ARI',
      kind: 'notFound',
      subject: 'channel',
    });
  });

  it('reads Asterisk’s {"error"} body on a 500 and marks it retryable', async () => {
    const { c } = client(() => Response.json({ error: 'Allocation failed' }, { status: 500 }));
    const err = await c
      .originate({ endpoint: 'Bogus/123', channelId: 'x' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 500,
      asteriskMessage: 'Allocation failed',
      retryable: true,
      kind: 'serverError',
      subject: null,
    });
  });

  it('reports no answer as status 0, retryable', async () => {
    const { c } = client(() => {
      throw new TypeError('fetch failed');
    });
    const err = await c.ping().catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 0,
      asteriskMessage: 'fetch failed',
      retryable: true,
      httpStatus: 503,
      kind: 'unavailable',
    });
  });
});

describe('AriRestClient over node:http (no injected fetch)', () => {
  const servers: http.Server[] = [];
  const clients: AriRestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  async function serve(
    handler: http.RequestListener,
    requestTimeoutMs?: number,
  ): Promise<AriRestClient> {
    const s = http.createServer(handler);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const c = new AriRestClient({
      baseUrl: `http://127.0.0.1:${(s.address() as AddressInfo).port}/ari`,
      user: 'ringside',
      password: 's3cret',
      ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
    });
    clients.push(c);
    return c;
  }

  it('sends method, path, query, auth and JSON body, and reuses one kept-alive socket', async () => {
    const seen: Array<{ line: string; auth?: string; body: string; port?: number }> = [];
    const c = await serve((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({
          line: `${req.method} ${req.url}`,
          auth: req.headers.authorization,
          body,
          port: req.socket.remotePort,
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'c1', state: 'Down' }));
      });
    });
    const ch = await c.originate({
      endpoint: 'Local/1@x',
      channelId: 'c1',
      variables: { CALL_ID: 'c1' },
    });
    await c.hold('c1');
    expect(ch).toMatchObject({ id: 'c1', state: 'Down' });
    expect(seen[0]?.line).toBe('POST /ari/channels?endpoint=Local%2F1%40x&channelId=c1');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ variables: { CALL_ID: 'c1' } });
    expect(seen[0]?.auth).toBe(`Basic ${Buffer.from('ringside:s3cret').toString('base64')}`);
    expect(seen[1]?.line).toBe('POST /ari/channels/c1/hold');
    expect(seen[1]?.port).toBe(seen[0]?.port);
  });

  it('reads a stored recording’s file as raw bytes over node:http', async () => {
    const bytes = Buffer.alloc(70_000);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7) & 0xff;
    const seen: string[] = [];
    const c = await serve((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url?.endsWith('/missing/file')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Recording not found' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'audio/wav' });
      res.end(bytes);
    });
    const file = await c.getStoredRecordingFile('rec-c1-1');
    expect(file.equals(bytes)).toBe(true);
    expect(seen[0]).toBe('GET /ari/recordings/stored/rec-c1-1/file');
    const err = await c.getStoredRecordingFile('missing').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, asteriskMessage: 'Recording not found' });
  });

  it('turns an error status into an AriError with Asterisk’s message', async () => {
    const c = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Channel not found' }));
    });
    const err = await c.getChannel('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AriError);
    expect(err).toMatchObject({ status: 404, asteriskMessage: 'Channel not found' });
  });

  it('reports a request that outlives its timeout as status 0 "timed out"', async () => {
    const c = await serve(() => undefined, 50);
    const err = await c.ping().catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 0,
      asteriskMessage: 'timed out',
      retryable: true,
      kind: 'timeout',
    });
  });

  it('reports a refused connection as status 0, retryable', async () => {
    const c = await serve(() => undefined);
    const s = servers.pop();
    await new Promise((r) => s?.close(r));
    const err = await c.ping().catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 0,
      retryable: true,
      operation: 'asterisk.ping',
      kind: 'unavailable',
    });
  });
});

describe('AriError kinds', () => {
  it('takes the kind from the status and the subject from what the message names first', () => {
    const e = (status: number, msg: string) => new AriError(status, msg, 'x');
    expect(e(404, 'Bridge not found')).toMatchObject({ kind: 'notFound', subject: 'bridge' });
    expect(e(409, 'Bridge not in Stasis application')).toMatchObject({
      kind: 'conflict',
      subject: 'bridge',
    });
    expect(e(422, 'Channel not in Stasis application')).toMatchObject({
      kind: 'unprocessable',
      subject: 'channel',
    });
    expect(e(422, 'Channel not in this bridge')).toMatchObject({ subject: 'channel' });
    expect(e(400, 'Invalid endpoint')).toMatchObject({ kind: 'badRequest', subject: 'endpoint' });
    expect(e(401, 'Authentication required')).toMatchObject({ kind: 'unauthorized' });
    expect(e(403, 'nope')).toMatchObject({ kind: 'forbidden', subject: null });
    expect(e(412, 'x')).toMatchObject({ kind: 'rejected' });
    expect(e(503, 'x')).toMatchObject({ kind: 'serverError', retryable: true });
  });

  it('answers the port predicates services use', () => {
    const gone = new AriError(404, 'Bridge not found', 'bridges.addChannel');
    expect(isAriNotFound(gone)).toBe(true);
    expect(isAriNotFound(gone, 'bridge')).toBe(true);
    expect(isAriNotFound(gone, 'channel')).toBe(false);
    expect(isAriConflict(new AriError(409, 'exists', 'x'))).toBe(true);
    expect(isAriUnreachable(new AriError(0, 'timed out', 'x', { timedOut: true }))).toBe(true);
    expect(isServerFault(new AriError(400, 'bad', 'x'))).toBe(false);
    expect(isServerFault(new AriError(0, 'refused', 'x'))).toBe(true);
    expect(isServerFault(new Error('boom'))).toBe(true);
    expect(isAriNotFound(new Error('Bridge not found'))).toBe(false);
  });
});

describe('backoffDelayMs', () => {
  it('doubles from the base, caps at the maximum, and jitters within the upper half', () => {
    const o = { baseMs: 500, maxMs: 30_000 };
    expect(backoffDelayMs(0, o, () => 0)).toBe(250);
    expect(backoffDelayMs(0, o, () => 0.999999)).toBe(500);
    expect(backoffDelayMs(3, o, () => 0)).toBe(2_000);
    expect(backoffDelayMs(20, o, () => 0.999999)).toBe(30_000);
    expect(backoffDelayMs(20, o, () => 0)).toBe(15_000);
  });
});
