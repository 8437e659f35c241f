/**
 * ARI recordings on the simulated PBX over HTTP and the events WebSocket, on its real clock at a
 * speed-up: the file's length is simulated time, the file route sends the WAV bytes as they are
 * (audio/wav), every request, response and event agrees with ARI's description, and the PBX's
 * own recordings directory is gone after stop.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkEvent, checkRequest, checkResponse, formatIssues } from '@ringside/ari';
import { decodeWav, samplesToMs, SIM_VOICES_HZ, startSimPbx, tonePower } from '../src/index.js';
import { collectEvents, control, startTestPbx, type AriMessage } from './helpers.js';

const AUTH = `Basic ${Buffer.from('ringside:ringside').toString('base64')}`;

/** One ARI request, checked against the description both ways; the body as bytes. */
async function ari(
  ariUrl: string,
  method: string,
  pathUnderAri: string,
  query: Record<string, string> = {},
): Promise<{ status: number; type: string | null; bytes: Buffer; json: unknown }> {
  const req = checkRequest(method, pathUnderAri, query);
  expect(req.ok, `${method} ${pathUnderAri}: ${formatIssues(req)}`).toBe(true);
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${ariUrl}${pathUnderAri}${qs ? `?${qs}` : ''}`, {
    method,
    headers: { authorization: AUTH },
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type');
  const json: unknown =
    type === 'application/json' && bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined;
  const c = checkResponse(method, pathUnderAri, res.status, json);
  expect(c.ok, `${method} ${pathUnderAri} → ${res.status}: ${formatIssues(c)}`).toBe(true);
  return { status: res.status, type, bytes, json };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recordings over ARI (simulated PBX, speed 20)', () => {
  it('records a bridge for the simulated time, serves the WAV and sends valid events in order', async () => {
    const pbx = await startTestPbx({
      port: 0,
      speed: 20,
      defaultProfile: { humanRingMs: 200, humanTalkMs: 3_600_000 },
    });
    const sink = await collectEvents(pbx.eventsUrl);
    const u = pbx.ariUrl;
    await ari(u, 'POST', '/bridges', { type: 'mixing', bridgeId: 'br-1' });
    await ari(u, 'POST', '/channels', {
      endpoint: 'Local/agent@agents',
      app: 'dialer',
      appArgs: 'agent',
      channelId: 'ag-1',
      otherChannelId: 'ag-1-2',
    });
    await ari(u, 'POST', '/channels', {
      endpoint: 'Local/5551230001@sim-customers',
      app: 'dialer',
      appArgs: 'customer',
      channelId: 'cu-1',
      otherChannelId: 'cu-1-2',
    });
    await sleep(50); // 1 s simulated: the customer answers after 200 ms
    expect(
      (await ari(u, 'POST', '/bridges/br-1/addChannel', { channel: 'ag-1,cu-1' })).status,
    ).toBe(204);

    const t0 = pbx.scheduler.nowMs();
    const rec = await ari(u, 'POST', '/bridges/br-1/record', {
      name: 'rec-call-1-1',
      format: 'wav',
      ifExists: 'fail',
    });
    expect(rec.status).toBe(201);
    expect(rec.json).toMatchObject({ state: 'queued', target_uri: 'bridge:br-1' });
    await sleep(300); // about 6 s simulated
    const t2 = pbx.scheduler.nowMs();
    expect((await ari(u, 'POST', '/recordings/live/rec-call-1-1/stop')).status).toBe(204);
    const t3 = pbx.scheduler.nowMs();
    await sink.settle();

    const file = await ari(u, 'GET', '/recordings/stored/rec-call-1-1/file');
    expect(file.status).toBe(200);
    expect(file.type).toBe('audio/wav');
    expect(file.bytes.toString('ascii', 0, 4)).toBe('RIFF');
    const samples = decodeWav(file.bytes);
    const ms = samplesToMs(samples.length);
    // The recording ran from RecordingStarted (its timestamp is simulated time, to the ms; the
    // recorder starts after the answer, as Asterisk's does) to the stop request.
    const started = sink.events.find((e) => e.type === 'RecordingStarted');
    const startedAt = Date.parse(String(started?.timestamp).replace('+0000', 'Z'));
    expect(startedAt).toBeGreaterThanOrEqual(Math.floor(t0));
    expect(ms).toBeGreaterThanOrEqual(t2 - startedAt - 1 - 20);
    expect(ms).toBeLessThanOrEqual(t3 - startedAt + 20);
    expect(ms).toBeGreaterThan(4000);
    expect(tonePower(samples, SIM_VOICES_HZ.customer)).toBeGreaterThan(1e-3);
    expect(tonePower(samples, SIM_VOICES_HZ.agent)).toBeGreaterThan(1e-3);
    expect(
      fs.readFileSync(path.join(pbx.recordingsDir, 'rec-call-1-1.wav')).equals(file.bytes),
    ).toBe(true);

    const recEvents = sink.events.filter((e) => e.type.startsWith('Recording'));
    expect(recEvents.map((e) => e.type)).toEqual(['RecordingStarted', 'RecordingFinished']);
    expect(recEvents[1]).toMatchObject({
      application: 'dialer',
      recording: { name: 'rec-call-1-1', state: 'done', duration: Math.floor(ms / 1000) },
    });
    const bad = sink.events.map((e: AriMessage) => checkEvent(e)).filter((c) => !c.ok);
    expect(bad.map(formatIssues)).toEqual([]);

    expect((await ari(u, 'GET', '/recordings/stored')).json).toEqual([
      { name: 'rec-call-1-1', format: 'wav' },
    ]);
    expect(
      (await ari(u, 'POST', '/bridges/br-1/record', { name: 'rec-call-1-1', format: 'wav' }))
        .status,
    ).toBe(409);
    expect((await ari(u, 'POST', '/recordings/live/rec-call-1-1/pause')).status).toBe(404);
    expect((await ari(u, 'DELETE', '/recordings/stored/rec-call-1-1')).status).toBe(204);
    expect((await ari(u, 'GET', '/recordings/stored/rec-call-1-1/file')).status).toBe(404);
    sink.close();
  });

  it('fails a live recording on the control API’s word: RecordingFailed with the cause, no file', async () => {
    const pbx = await startTestPbx({ port: 0, speed: 20 });
    const sink = await collectEvents(pbx.eventsUrl);
    const u = pbx.ariUrl;
    await ari(u, 'POST', '/bridges', { type: 'mixing', bridgeId: 'br-f' });
    await ari(u, 'POST', '/bridges/br-f/record', { name: 'f-1', format: 'wav' });
    await sleep(20);
    const listed = await control('GET', '/recordings');
    expect(listed.body).toMatchObject([
      { name: 'f-1', state: 'recording', targetUri: 'bridge:br-f' },
    ]);
    expect((await control('POST', '/recordings/f-1/fail', { cause: 'disk full' })).status).toBe(
      204,
    );
    expect((await control('POST', '/recordings/f-1/fail', {})).status).toBe(404);
    await sink.settle();
    const failed = sink.events.find((e) => e.type === 'RecordingFailed');
    expect(failed).toMatchObject({
      recording: { name: 'f-1', state: 'failed', cause: 'disk full' },
    });
    expect(checkEvent(failed).ok).toBe(true);
    expect((await ari(u, 'GET', '/recordings/stored/f-1')).status).toBe(404);
    sink.close();
  });

  it('keeps its recordings in a temporary directory of its own, removed on stop; a given one stays', async () => {
    const pbx = await startSimPbx({ port: 0 });
    const own = pbx.recordingsDir;
    expect(fs.existsSync(own)).toBe(true);
    await pbx.stop();
    expect(fs.existsSync(own)).toBe(false);

    const given = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-rec-test-'));
    try {
      const kept = await startSimPbx({ port: 0, recordingsDir: given });
      expect(kept.recordingsDir).toBe(given);
      await kept.stop();
      expect(fs.existsSync(given)).toBe(true);
    } finally {
      fs.rmSync(given, { recursive: true, force: true });
    }
  });
});
