/**
 * The ARI client's recording methods and the events stream against the simulated PBX (manual
 * clock): a bridge recording with a mute (PCI pause) and a pause, its RecordingStarted and
 * RecordingFinished parsed and typed by AriEventStream, the stored file fetched as bytes, copied,
 * listed and deleted, and the errors services branch on (404 recording, 409 name taken).
 */
import type { AriEvent, LiveRecording } from '@ringside/ari';
import {
  decodeWav,
  ManualScheduler,
  SIM_VOICES_HZ,
  startSimPbx,
  tonePower,
  type SimPbx,
} from '@ringside/sim';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { AriEventStream } from '../../src/adapters/asterisk/ari-events.js';
import { isAriConflict, isAriNotFound } from '../../src/ports/telephony-errors.js';

let pbx: SimPbx | null = null;
let stream: AriEventStream | null = null;
let client: AriRestClient | null = null;
afterEach(async () => {
  await stream?.stop();
  client?.close();
  await pbx?.stop();
  pbx = stream = client = null;
});

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('AriRestClient recordings on the simulated PBX', () => {
  it('records, mutes, pauses, stops, and fetches the WAV as bytes; events arrive typed', async () => {
    const scheduler = new ManualScheduler();
    pbx = await startSimPbx({
      port: 0,
      scheduler,
      defaultProfile: { humanRingMs: 1000, humanTalkMs: 3_600_000 },
    });
    const c = (client = new AriRestClient({
      baseUrl: pbx.ariUrl,
      user: 'ringside',
      password: 'ringside',
    }));
    const events: AriEvent[] = [];
    let up = false;
    stream = new AriEventStream({
      baseUrl: pbx.ariUrl,
      user: 'ringside',
      password: 'ringside',
      app: 'dialer',
      logger: pino({ level: 'silent' }),
      consumedTypes: new Set(['RecordingStarted', 'RecordingFinished', 'RecordingFailed']),
      onEvent: (e) => void events.push(e),
      onUp: () => void (up = true),
    });
    stream.start();
    await until(() => up);

    await c.createBridge('br-1');
    await c.originate({
      endpoint: 'Local/agent@agents',
      channelId: 'ag-1',
      app: 'dialer',
      appArgs: 'agent',
    });
    await c.originate({
      endpoint: 'Local/5551230001@sim-customers',
      channelId: 'cu-1',
      otherChannelId: 'cu-1-2',
      app: 'dialer',
      appArgs: 'customer',
    });
    scheduler.advance(1500);
    await c.addChannel('br-1', ['ag-1', 'cu-1']);

    const live: LiveRecording = await c.recordBridge('br-1', {
      name: 'rec-call-1-1',
      format: 'wav',
      ifExists: 'fail',
    });
    expect(live).toEqual({
      name: 'rec-call-1-1',
      format: 'wav',
      state: 'queued',
      target_uri: 'bridge:br-1',
    });
    scheduler.advance(0);
    await until(() => events.length === 1);
    expect(events[0]).toMatchObject({
      type: 'RecordingStarted',
      recording: { state: 'recording' },
    });

    const taken = await c
      .recordBridge('br-1', { name: 'rec-call-1-1', format: 'wav' })
      .catch((e: unknown) => e);
    expect(isAriConflict(taken)).toBe(true);

    scheduler.advance(2000);
    await c.muteRecording('rec-call-1-1');
    scheduler.advance(1000);
    await c.unmuteRecording('rec-call-1-1');
    await c.pauseRecording('rec-call-1-1');
    expect((await c.getLiveRecording('rec-call-1-1')).state).toBe('paused');
    scheduler.advance(5000);
    await c.unpauseRecording('rec-call-1-1');
    scheduler.advance(2000);
    await c.stopRecording('rec-call-1-1');
    scheduler.advance(0);
    await until(() => events.length === 2);
    const finished = events[1];
    expect(finished?.type).toBe('RecordingFinished');
    if (finished?.type !== 'RecordingFinished') throw new Error('unreachable');
    expect(finished.recording).toMatchObject({ name: 'rec-call-1-1', state: 'done', duration: 5 });

    const file = await c.getStoredRecordingFile('rec-call-1-1');
    expect(Buffer.isBuffer(file)).toBe(true);
    const samples = decodeWav(file);
    expect(samples.length).toBe(5 * 8000);
    expect(samples.subarray(2 * 8000, 3 * 8000).every((s) => s === 0)).toBe(true);
    expect(tonePower(samples, SIM_VOICES_HZ.customer)).toBeGreaterThan(1e-3);
    expect(tonePower(samples, SIM_VOICES_HZ.agent)).toBeGreaterThan(1e-3);

    expect(await c.copyStoredRecording('rec-call-1-1', 'kept/rec-call-1-1')).toEqual({
      name: 'kept/rec-call-1-1',
      format: 'wav',
    });
    expect((await c.listStoredRecordings()).map((r) => r.name)).toEqual([
      'kept/rec-call-1-1',
      'rec-call-1-1',
    ]);
    expect(await c.getStoredRecording('kept/rec-call-1-1')).toEqual({
      name: 'kept/rec-call-1-1',
      format: 'wav',
    });
    await c.deleteStoredRecording('rec-call-1-1');
    const gone = await c.getStoredRecordingFile('rec-call-1-1').catch((e: unknown) => e);
    expect(isAriNotFound(gone, 'recording')).toBe(true);
    const noLive = await c.stopRecording('rec-call-1-1').catch((e: unknown) => e);
    expect(isAriNotFound(noLive, 'recording')).toBe(true);
  });

  it('cancels a recording: RecordingFinished canceled and no stored file', async () => {
    const scheduler = new ManualScheduler();
    pbx = await startSimPbx({ port: 0, scheduler });
    const c = (client = new AriRestClient({
      baseUrl: pbx.ariUrl,
      user: 'ringside',
      password: 'ringside',
    }));
    await c.createBridge('br-2');
    await c.recordBridge('br-2', { name: 'x' });
    scheduler.advance(1000);
    await c.cancelRecording('x');
    expect((await c.getLiveRecording('x')).state).toBe('canceled');
    scheduler.advance(0);
    expect(await c.listStoredRecordings()).toEqual([]);
  });
});
