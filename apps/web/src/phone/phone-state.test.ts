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
