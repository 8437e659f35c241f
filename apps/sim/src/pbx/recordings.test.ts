/**
 * ARI recordings on the simulated PBX's engine (manual clock): the files' length in simulated
 * time, the voices in them, mute as digital silence, pause left out, the live and stored
 * resources' answers (checked against ARI's description) and the events' order and shape.
 */
import { describe, expect, it } from 'vitest';
import { checkResponse, formatIssues } from '@ringside/ari';
import type { AriReply } from './core.js';
import { expectValidEvents, intoApp, makeEngine } from './engine-test-kit.js';
import { MemoryRecordingStore } from './recording-store.js';
import { SIM_VOICES_HZ } from './recordings.js';
import { decodeWav, samplesToMs, tonePower, WAV_RATE_HZ } from './wav.js';

const { customer: CUSTOMER, agent: AGENT, supervisor: SUPERVISOR } = SIM_VOICES_HZ;
/** A frequency no party speaks in: the noise floor of the Goertzel check. */
const NOBODY = 1000;

/** An agent and an answered human customer in mixing bridge `br`, recorded into `store`. */
function bridgedCall() {
  const store = new MemoryRecordingStore();
  const kit = makeEngine(
    { seed: 1, defaultProfile: { humanRingMs: 1000, humanTalkMs: 3_600_000 } },
    { recordingStore: store },
  );
  const { engine, scheduler } = kit;
  engine.ariCreateBridge({ type: 'mixing', bridgeId: 'br' });
  engine.ariOriginate(intoApp('Local/agent@agents', 'ag', 'agent'), undefined);
  engine.ariOriginate(intoApp('Local/5551230001@sim-customers', 'cu', 'customer'), undefined);
  scheduler.advance(2000);
  expect(engine.ariAddChannel('br', { channel: 'ag' }).status).toBe(204);
  expect(engine.ariAddChannel('br', { channel: 'cu' }).status).toBe(204);
  kit.events.length = 0;
  /** The reply, after checking it against ARI's description. */
  const ari = (method: string, path: string, reply: AriReply): AriReply => {
    const body = Buffer.isBuffer(reply.body) ? undefined : reply.body;
    const c = checkResponse(method, path, reply.status, body);
    expect(c.ok, `${method} ${path}: ${formatIssues(c)}`).toBe(true);
    return reply;
  };
  const samples = (name: string): Int16Array => {
    const file = store.read(name);
    expect(file, `stored ${name}`).not.toBeNull();
    return decodeWav(file as Buffer);
  };
  return { ...kit, store, ari, samples };
}

/** Sample index of a time in the file, ms. */
const at = (ms: number) => Math.round((ms * WAV_RATE_HZ) / 1000);

const types = (events: ReadonlyArray<{ type: string }>) =>
  events.filter((e) => e.type.startsWith('Recording')).map((e) => e.type);

describe('bridge recordings', () => {
  it('answer 201 queued, then RecordingStarted; a stop writes the recorded time and sends RecordingFinished', () => {
    const { engine, scheduler, events, ari, samples } = bridgedCall();
    const r = ari(
      'POST',
      '/bridges/br/record',
      engine.ariRecord('bridge', 'br', { name: 'rec-c1-1', format: 'wav', ifExists: 'fail' }),
    );
    expect(r).toEqual({
      status: 201,
      body: { name: 'rec-c1-1', format: 'wav', state: 'queued', target_uri: 'bridge:br' },
      headers: { Location: '/recordings/live/rec-c1-1' },
    });
    expect(types(events)).toEqual([]);
    scheduler.advance(0);
    expect(events.at(-1)).toMatchObject({
      type: 'RecordingStarted',
      recording: { name: 'rec-c1-1', state: 'recording', target_uri: 'bridge:br' },
    });
    scheduler.advance(12_345);
    expect(ari('GET', '/recordings/live/rec-c1-1', engine.ariGetLiveRecording('rec-c1-1'))).toEqual(
      {
        status: 200,
        body: { name: 'rec-c1-1', format: 'wav', state: 'recording', target_uri: 'bridge:br' },
      },
    );
    expect(engine.listRecordings()[0]?.recordedMs).toBe(12_345);
    const stop = engine.ariRecordingControl('rec-c1-1', 'stop');
    expect(ari('POST', '/recordings/live/rec-c1-1/stop', stop)).toEqual({ status: 204 });
    // The file is there before the event that announces it.
    expect(samplesToMs(samples('rec-c1-1').length)).toBeCloseTo(12_345, 0);
    expect(types(events)).toEqual(['RecordingStarted']);
    scheduler.advance(0);
    expect(events.at(-1)).toEqual({
      type: 'RecordingFinished',
      timestamp: expect.any(String) as string,
      recording: {
        name: 'rec-c1-1',
        format: 'wav',
        state: 'done',
        target_uri: 'bridge:br',
        duration: 12,
      },
      asterisk_id: '02:fc:00:00:00:01',
    });
    expect(engine.ariGetLiveRecording('rec-c1-1').status).toBe(404);
    expect(
      ari('GET', '/recordings/stored/rec-c1-1', engine.ariGetStoredRecording('rec-c1-1')),
    ).toEqual({ status: 200, body: { name: 'rec-c1-1', format: 'wav' } });
    expectValidEvents(events);
  });

  it('holds both voices, each well above the noise floor', () => {
    const { engine, scheduler, samples } = bridgedCall();
    engine.ariRecord('bridge', 'br', { name: 'two', format: 'wav' });
    scheduler.advance(0);
    scheduler.advance(10_000);
    engine.ariRecordingControl('two', 'stop');
    const s = samples('two');
    const floor = tonePower(s, NOBODY);
    expect(tonePower(s, CUSTOMER)).toBeGreaterThan(1e-3);
    expect(tonePower(s, AGENT)).toBeGreaterThan(1e-3);
    expect(floor).toBeLessThan(1e-6);
    expect(tonePower(s, SUPERVISOR)).toBeLessThan(1e-5);
  });

  it('writes digital silence for the muted span and keeps the file as long as the bridged time', () => {
    const { engine, scheduler, events, ari, samples } = bridgedCall();
    engine.ariRecord('bridge', 'br', { name: 'pci', format: 'wav' });
    scheduler.advance(0);
    scheduler.advance(3000);
    expect(
      ari('POST', '/recordings/live/pci/mute', engine.ariRecordingControl('pci', 'mute')),
    ).toEqual({ status: 204 });
    // A second mute changes nothing (Asterisk: already muted).
    expect(engine.ariRecordingControl('pci', 'mute').status).toBe(204);
    scheduler.advance(4000);
    expect(
      ari('DELETE', '/recordings/live/pci/mute', engine.ariRecordingControl('pci', 'unmute')),
    ).toEqual({ status: 204 });
    scheduler.advance(3000);
    engine.ariRecordingControl('pci', 'stop');
    const s = samples('pci');
    expect(s.length).toBe(at(10_000));
    expect(s.subarray(at(3000), at(7000)).every((v) => v === 0)).toBe(true);
    expect(s[at(3000) - 1]).not.toBe(undefined);
    expect(tonePower(s, CUSTOMER, 0, at(3000))).toBeGreaterThan(1e-3);
    expect(tonePower(s, AGENT, at(7000), at(10_000))).toBeGreaterThan(1e-3);
    // Mute and unmute send no event.
    scheduler.advance(0);
    expect(types(events)).toEqual(['RecordingStarted', 'RecordingFinished']);
  });

  it('leaves paused time out of the file (paused: state paused, no event)', () => {
    const { engine, scheduler, events, ari, samples } = bridgedCall();
    engine.ariRecord('bridge', 'br', { name: 'p', format: 'wav' });
    scheduler.advance(0);
    scheduler.advance(3000);
    expect(
      ari('POST', '/recordings/live/p/pause', engine.ariRecordingControl('p', 'pause')),
    ).toEqual({ status: 204 });
    expect(engine.ariGetLiveRecording('p').body).toMatchObject({ state: 'paused' });
    scheduler.advance(5000);
    expect(
      ari('DELETE', '/recordings/live/p/pause', engine.ariRecordingControl('p', 'unpause')),
    ).toEqual({ status: 204 });
    scheduler.advance(2000);
    engine.ariRecordingControl('p', 'stop');
    scheduler.advance(0);
    expect(samples('p').length).toBe(at(5000));
    expect(events.at(-1)).toMatchObject({ recording: { state: 'done', duration: 5 } });
    expect(types(events)).toEqual(['RecordingStarted', 'RecordingFinished']);
  });

  it('goes on after the customer leaves, and mixes a barging supervisor in while present', () => {
    const { engine, scheduler, events, samples } = bridgedCall();
    engine.ariOriginate(intoApp('Local/super@agents', 'sv', 'agent'), undefined);
    scheduler.advance(10);
    events.length = 0;
    engine.ariRecord('bridge', 'br', { name: 'barge', format: 'wav' });
    scheduler.advance(0);
    scheduler.advance(4000);
    engine.ariAddChannel('br', { channel: 'sv' });
    scheduler.advance(4000);
    expect(engine.ariHangup('cu', {}).status).toBe(204);
    scheduler.advance(4000);
    expect(types(events)).toEqual(['RecordingStarted']);
    engine.ariRecordingControl('barge', 'stop');
    const s = samples('barge');
    expect(s.length).toBe(at(12_000));
    const [a, b, c] = [
      [0, at(4000)],
      [at(4000), at(8000)],
      [at(8000), at(12_000)],
    ] as const;
    expect(tonePower(s, SUPERVISOR, ...a)).toBeLessThan(1e-5);
    expect(tonePower(s, SUPERVISOR, ...b)).toBeGreaterThan(1e-3);
    expect(tonePower(s, CUSTOMER, ...b)).toBeGreaterThan(1e-3);
    expect(tonePower(s, CUSTOMER, ...c)).toBeLessThan(1e-5);
    expect(tonePower(s, AGENT, ...c)).toBeGreaterThan(1e-3);
  });

  it('starts writing after the beep even when a channel joins during it', () => {
    const { engine, scheduler, samples } = bridgedCall();
    engine.ariOriginate(intoApp('Local/super@agents', 'sv', 'agent'), undefined);
    scheduler.advance(10);
    engine.ariRecord('bridge', 'br', { name: 'beep', format: 'wav', beep: 'true' });
    scheduler.advance(0);
    scheduler.advance(100);
    engine.ariAddChannel('br', { channel: 'sv' });
    scheduler.advance(150 + 11_000);
    engine.ariRecordingControl('beep', 'stop');
    const s = samples('beep');
    expect(s.length).toBe(at(11_000));
    expect(tonePower(s, SUPERVISOR)).toBeGreaterThan(1e-3);
  });

  it('ends with RecordingFinished after BridgeDestroyed when the bridge goes', () => {
    const { engine, scheduler, events, samples } = bridgedCall();
    engine.ariRecord('bridge', 'br', { name: 'gone', format: 'wav' });
    scheduler.advance(0);
    scheduler.advance(2500);
    engine.ariDestroyBridge('br');
    scheduler.advance(0);
    const order = events.map((e) => e.type).filter((t) => /Bridge|Recording/.test(t));
    expect(order.slice(-2)).toEqual(['BridgeDestroyed', 'RecordingFinished']);
    expect(events.at(-1)).toMatchObject({ recording: { state: 'done', duration: 2 } });
    expect(samples('gone').length).toBe(at(2500));
    expectValidEvents(events);
  });

  it('stops by itself at maxDurationSeconds of recorded time', () => {
    const { engine, scheduler, events, samples } = bridgedCall();
    engine.ariRecord('bridge', 'br', { name: 'max', format: 'wav', maxDurationSeconds: '5' });
    scheduler.advance(0);
    scheduler.advance(2000);
    engine.ariRecordingControl('max', 'pause');
    scheduler.advance(10_000);
    engine.ariRecordingControl('max', 'unpause');
    scheduler.advance(2999);
    expect(types(events)).toEqual(['RecordingStarted']);
    scheduler.advance(1);
    scheduler.advance(0);
    expect(types(events)).toEqual(['RecordingStarted', 'RecordingFinished']);
    expect(samples('max').length).toBe(at(5000));
  });

  it('cancels: RecordingFinished canceled, no file, the name free again', () => {
    const { engine, scheduler, events, store, ari } = bridgedCall();
    engine.ariRecord('bridge', 'br', { name: 'x', format: 'wav' });
    scheduler.advance(1000);
    expect(ari('DELETE', '/recordings/live/x', engine.ariRecordingControl('x', 'cancel'))).toEqual({
      status: 204,
    });
    expect(engine.ariGetLiveRecording('x').body).toMatchObject({ state: 'canceled' });
    scheduler.advance(0);
    expect(events.at(-1)).toMatchObject({
      type: 'RecordingFinished',
      recording: { state: 'canceled' },
    });
    expect(store.has('x')).toBe(false);
    expect(engine.ariRecord('bridge', 'br', { name: 'x', format: 'wav' }).status).toBe(201);
  });

  it('fails on demand: RecordingFailed with its cause and no file', () => {
    const { engine, scheduler, events, store } = bridgedCall();
    engine.ariRecord('bridge', 'br', { name: 'f', format: 'wav' });
    scheduler.advance(1000);
    expect(engine.failRecording('f', 'disk full')).toBe(true);
    expect(engine.failRecording('f', 'again')).toBe(false);
    scheduler.advance(0);
    expect(events.at(-1)).toMatchObject({
      type: 'RecordingFailed',
      recording: { name: 'f', state: 'failed', cause: 'disk full' },
    });
    expect(store.has('f')).toBe(false);
    expectValidEvents(events);
  });
});

describe('recording names and errors', () => {
  it('answers 409 for a live name or a stored one with ifExists=fail, overwrites or appends otherwise', () => {
    const { engine, scheduler, ari, samples } = bridgedCall();
    engine.ariRecord('bridge', 'br', { name: 'n', format: 'wav' });
    const again = engine.ariRecord('bridge', 'br', {
      name: 'n',
      format: 'wav',
      ifExists: 'overwrite',
    });
    expect(ari('POST', '/bridges/br/record', again)).toEqual({
      status: 409,
      body: { message: "Recording 'n' already exists and can not be overwritten" },
    });
    scheduler.advance(0);
    scheduler.advance(2000);
    engine.ariRecordingControl('n', 'stop');
    scheduler.advance(0);
    expect(engine.ariRecord('bridge', 'br', { name: 'n', format: 'wav' }).status).toBe(409);
    expect(
      engine.ariRecord('bridge', 'br', { name: 'n', format: 'wav', ifExists: 'append' }).status,
    ).toBe(201);
    scheduler.advance(0);
    scheduler.advance(1000);
    engine.ariRecordingControl('n', 'stop');
    scheduler.advance(0);
    expect(samples('n').length).toBe(at(3000));
    engine.ariRecord('bridge', 'br', { name: 'n', format: 'wav', ifExists: 'overwrite' });
    scheduler.advance(0);
    scheduler.advance(500);
    engine.ariRecordingControl('n', 'stop');
    expect(samples('n').length).toBe(at(500));
  });

  it('answers the description’s errors: 404, 400, 422, 409 not in session', () => {
    const { engine, ari } = bridgedCall();
    const cases: Array<[string, string, AriReply, number]> = [
      [
        'POST',
        '/bridges/nope/record',
        engine.ariRecord('bridge', 'nope', { name: 'a', format: 'wav' }),
        404,
      ],
      ['POST', '/bridges/br/record', engine.ariRecord('bridge', 'br', { format: 'wav' }), 400],
      [
        'POST',
        '/bridges/br/record',
        engine.ariRecord('bridge', 'br', { name: 'a', format: 'mp3' }),
        422,
      ],
      [
        'POST',
        '/bridges/br/record',
        engine.ariRecord('bridge', 'br', { name: 'a', format: 'wav', ifExists: 'keep' }),
        400,
      ],
      [
        'POST',
        '/bridges/br/record',
        engine.ariRecord('bridge', 'br', { name: '../etc/x', format: 'wav' }),
        400,
      ],
      [
        'POST',
        '/bridges/br/record',
        engine.ariRecord('bridge', 'br', { name: 'a', format: 'wav', maxDurationSeconds: '-1' }),
        400,
      ],
      [
        'POST',
        '/channels/cu/record',
        engine.ariRecord('channel', 'cu', { name: 'a', format: 'wav' }),
        409,
      ],
      [
        'POST',
        '/channels/nope/record',
        engine.ariRecord('channel', 'nope', { name: 'a', format: 'wav' }),
        404,
      ],
      ['GET', '/recordings/live/nope', engine.ariGetLiveRecording('nope'), 404],
      ['POST', '/recordings/live/nope/stop', engine.ariRecordingControl('nope', 'stop'), 404],
      ['POST', '/recordings/live/nope/mute', engine.ariRecordingControl('nope', 'mute'), 404],
      ['GET', '/recordings/stored/nope', engine.ariGetStoredRecording('nope'), 404],
      ['GET', '/recordings/stored/nope/file', engine.ariGetStoredRecordingFile('nope'), 404],
      ['DELETE', '/recordings/stored/nope', engine.ariDeleteStoredRecording('nope'), 404],
      [
        'POST',
        '/recordings/stored/nope/copy',
        engine.ariCopyStoredRecording('nope', { destinationRecordingName: 'b' }),
        404,
      ],
    ];
    for (const [method, path, reply, status] of cases) {
      expect(ari(method, path, reply).status, `${method} ${path}`).toBe(status);
    }
    // Queued (the recorder has not started yet): pause and mute are not in session.
    engine.ariRecord('bridge', 'br', { name: 'q', format: 'wav' });
    expect(
      ari('POST', '/recordings/live/q/pause', engine.ariRecordingControl('q', 'pause')),
    ).toEqual({
      status: 409,
      body: { message: 'Recording not in session' },
    });
  });

  it('lists, copies, serves and deletes stored recordings', () => {
    const { engine, scheduler, ari } = bridgedCall();
    engine.ariRecord('bridge', 'br', { name: 'calls/s1', format: 'wav' });
    scheduler.advance(0);
    scheduler.advance(1000);
    engine.ariRecordingControl('calls/s1', 'stop');
    scheduler.advance(0);
    const copy = engine.ariCopyStoredRecording('calls/s1', { destinationRecordingName: 'kept' });
    expect(ari('POST', '/recordings/stored/calls%2Fs1/copy', copy)).toEqual({
      status: 200,
      body: { name: 'kept', format: 'wav' },
    });
    expect(engine.ariCopyStoredRecording('calls/s1', { destinationRecordingName: 'kept' })).toEqual(
      {
        status: 409,
        body: { message: 'A recording with the same name already exists on the system' },
      },
    );
    expect(ari('GET', '/recordings/stored', engine.ariListStoredRecordings()).body).toEqual([
      { name: 'calls/s1', format: 'wav' },
      { name: 'kept', format: 'wav' },
    ]);
    const file = engine.ariGetStoredRecordingFile('kept');
    expect(file.status).toBe(200);
    expect(file.headers).toEqual({ 'Content-Type': 'audio/wav' });
    expect(decodeWav(file.body as Buffer).length).toBe(at(1000));
    expect(
      ari('DELETE', '/recordings/stored/kept', engine.ariDeleteStoredRecording('kept')),
    ).toEqual({ status: 204 });
    expect(engine.ariGetStoredRecording('kept').status).toBe(404);
  });
});

describe('channel recordings', () => {
  it('record what the channel’s party says and end when the channel goes', () => {
    const store = new MemoryRecordingStore();
    const { engine, scheduler, events } = makeEngine(
      { seed: 1, defaultProfile: { humanRingMs: 1000, humanTalkMs: 60_000 } },
      { recordingStore: store },
    );
    engine.ariOriginate(intoApp('Local/5551230001@sim-customers', 'cu', 'customer'), undefined);
    scheduler.advance(2000);
    events.length = 0;
    const r = engine.ariRecord('channel', 'cu', { name: 'greet', format: 'wav', beep: 'true' });
    expect(r.body).toMatchObject({ state: 'queued', target_uri: 'channel:cu' });
    scheduler.advance(0);
    expect(types(events)).toEqual(['RecordingStarted']);
    scheduler.advance(6250);
    expect(engine.ariHangup('cu', {}).status).toBe(204);
    scheduler.advance(0);
    expect(events.at(-1)).toMatchObject({
      type: 'RecordingFinished',
      recording: { state: 'done', target_uri: 'channel:cu', duration: 6 },
    });
    // The beep (250 ms) is played before the recording begins: not in the file.
    const s = decodeWav(store.read('greet') as Buffer);
    expect(s.length).toBe(at(6000));
    expect(tonePower(s, CUSTOMER)).toBeGreaterThan(1e-3);
    expect(tonePower(s, AGENT)).toBeLessThan(1e-5);
    expectValidEvents(events);
  });
});
