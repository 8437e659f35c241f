import { describe, expect, it } from 'vitest';
import { describePhone, phoneReduce, type PhoneInput, type PhoneStatus } from './phone-state.js';

const run = (inputs: PhoneInput[], from: PhoneStatus = { kind: 'off' }) =>
  inputs.reduce(phoneReduce, from);

describe('phone status line', () => {
  it('a refused microphone says so and offers a retry', () => {
    const s = run([{ type: 'mic_requested' }, { type: 'mic_error', name: 'NotAllowedError' }]);
    expect(s.kind).toBe('mic_denied');
    expect(describePhone(s).action?.id).toBe('retry_mic');
  });

  it('a missing microphone is told apart from a refused one', () => {
    const s = run([{ type: 'mic_requested' }, { type: 'mic_error', name: 'NotFoundError' }]);
    expect(s.kind).toBe('no_device');
    expect(describePhone(s).text).toMatch(/No microphone/);
  });

  it('goes from registration to a line that is up, with its set-up time', () => {
    const s = run([
      { type: 'mic_ok' },
      { type: 'ws_connecting', attempt: 1 },
      { type: 'ws_connected' },
      { type: 'registered' },
      { type: 'leg_connecting', atMs: 1000 },
      { type: 'leg_up', atMs: 1240 },
    ]);
    expect(s).toEqual({ kind: 'leg_up', setupMs: 240 });
    expect(describePhone(s).tone).toBe('ok');
  });

  it('a registration renewal while the line is up changes nothing', () => {
    const up: PhoneStatus = { kind: 'leg_up', setupMs: 200 };
    expect(run([{ type: 'registered' }], up)).toBe(up);
  });

  it('network loss, reconnection and ICE failure each show a state with a way back', () => {
    const up: PhoneStatus = { kind: 'leg_up', setupMs: 200 };
    const lost = run([{ type: 'offline' }], up);
    expect(lost.kind).toBe('network_lost');
    expect(describePhone(lost).action?.id).toBe('reconnect');
    const back = run([{ type: 'online' }, { type: 'ws_connecting', attempt: 2 }], lost);
    expect(back).toEqual({ kind: 'reconnecting', attempt: 2 });
    const ice = run([{ type: 'ice_failed' }, { type: 'leg_down', cause: 'RTP Timeout' }], up);
    expect(ice.kind).toBe('ice_failed');
    expect(describePhone(ice).action?.id).toBe('reconnect_leg');
  });

  it('an expired registration offers to register again', () => {
    const s = run([{ type: 'unregistered' }], { kind: 'registered' });
    expect(s.kind).toBe('registration_expired');
    expect(describePhone(s).action?.id).toBe('register');
  });
});

describe('phone status line through recoveries', () => {
  it('a lost SIP connection stays "network lost" when JsSIP then reports the registration gone', () => {
    const up: PhoneStatus = { kind: 'leg_up', setupMs: 200 };
    const s = run([{ type: 'ws_disconnected' }, { type: 'unregistered' }], up);
    expect(s.kind).toBe('network_lost');
    expect(describePhone(s).action?.id).toBe('reconnect');
  });

  it('reconnecting attempts keep counting and the line comes back up', () => {
    const s = run(
      [
        { type: 'ws_disconnected' },
        { type: 'unregistered' },
        { type: 'ws_connecting', attempt: 3 },
        { type: 'unregistered' },
      ],
      { kind: 'leg_up', setupMs: 200 },
    );
    expect(s).toEqual({ kind: 'reconnecting', attempt: 3 });
    const back = run(
      [{ type: 'ws_connected' }, { type: 'registered' }, { type: 'leg_up', atMs: 5 }],
      s,
    );
    expect(back).toEqual({ kind: 'leg_up', setupMs: null });
  });

  it('a refused renewal while the line is up ends as "registration expired"; registering again brings "line up" back', () => {
    const s = run([{ type: 'registration_failed', cause: 'Rejected' }, { type: 'unregistered' }], {
      kind: 'leg_up',
      setupMs: 200,
    });
    expect(describePhone(s)).toMatchObject({
      text: 'Registration expired',
      action: { id: 'register' },
    });
    // The softphone reports the surviving line again after the registration.
    expect(run([{ type: 'registered' }, { type: 'leg_up', atMs: 9 }], s).kind).toBe('leg_up');
  });

  it('a failed audio path is not hidden by the leg ending after it', () => {
    const s = run([{ type: 'ice_failed' }, { type: 'leg_down', cause: 'Terminated' }], {
      kind: 'leg_connecting',
      startedAtMs: 0,
    });
    expect(describePhone(s)).toMatchObject({ action: { id: 'reconnect_leg' } });
    expect(
      run(
        [
          { type: 'leg_connecting', atMs: 1 },
          { type: 'leg_up', atMs: 101 },
        ],
        s,
      ),
    ).toEqual({
      kind: 'leg_up',
      setupMs: 100,
    });
  });
});

describe('reconnect attempts', () => {
  it('a new connection after a loss reads "attempt 1", not JsSIP\'s 0', () => {
    const s = run([{ type: 'online' }, { type: 'ws_connecting', attempt: 0 }], {
      kind: 'network_lost',
    });
    expect(describePhone(s).text).toBe('Reconnecting the phone (attempt 1)…');
  });
});

describe('a phone server that never answers', () => {
  const neverOpened: PhoneInput[] = [
    { type: 'mic_requested' },
    { type: 'mic_ok' },
    { type: 'ws_connecting', attempt: 1 },
    { type: 'ws_disconnected', server: 'pbx.example:8089', everConnected: false },
  ];

  it('names the server and both causes (down, or its certificate refused), not a network loss', () => {
    const s = run(neverOpened);
    expect(s).toEqual({ kind: 'server_unreachable', server: 'pbx.example:8089' });
    const view = describePhone(s);
    expect(view.text).toBe(
      'Cannot reach the phone server pbx.example:8089: it is down, or this browser does not ' +
        'trust its certificate (ask your administrator)',
    );
    expect(view.action?.id).toBe('reconnect');
  });

  it('keeps saying so while JsSIP retries, and registers when the server answers', () => {
    const retrying = run([...neverOpened, { type: 'ws_connecting', attempt: 2 }]);
    expect(retrying.kind).toBe('server_unreachable');
    expect(run([...neverOpened, { type: 'ws_connected' }]).kind).toBe('registering');
  });

  it('a connection that had opened before is a network loss', () => {
    expect(
      run([
        { type: 'mic_ok' },
        { type: 'ws_connected' },
        { type: 'registered' },
        { type: 'ws_disconnected', server: 'pbx.example:8089', everConnected: true },
      ]).kind,
    ).toBe('network_lost');
  });
});
