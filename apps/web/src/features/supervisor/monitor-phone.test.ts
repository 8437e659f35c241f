import { describe, expect, it } from 'vitest';
import {
  describeMonitorPhone,
  monitorPhoneReduce,
  type MonitorPhoneStatus,
} from './monitor-phone.js';
import type { PhoneInput } from '../../phone/phone-state.js';

const run = (inputs: PhoneInput[]): MonitorPhoneStatus =>
  inputs.reduce(monitorPhoneReduce, { kind: 'off' } as MonitorPhoneStatus);

describe("the supervisor's monitoring phone status", () => {
  it('is ready once registered, on a call while a monitoring call is up, ready again after', () => {
    const up: PhoneInput[] = [
      { type: 'mic_requested' },
      { type: 'mic_ok' },
      { type: 'ws_connecting', attempt: 1 },
      { type: 'ws_connected' },
      { type: 'registered' },
    ];
    expect(run(up)).toEqual({ kind: 'ready' });
    expect(run([...up, { type: 'leg_up', atMs: 1 }])).toEqual({ kind: 'in_call' });
    expect(run([...up, { type: 'leg_up', atMs: 1 }, { type: 'leg_down', cause: 'BYE' }])).toEqual({
      kind: 'ready',
    });
  });

  it('names the cause of a refused microphone or registration', () => {
    expect(describeMonitorPhone(run([{ type: 'mic_error', name: 'NotAllowedError' }]))).toMatch(
      /allow it for this site/,
    );
    expect(
      describeMonitorPhone(run([{ type: 'registration_failed', cause: 'Authentication Error' }])),
    ).toMatch(/refused the phone \(Authentication Error\)/);
  });

  it('says the simulated and the external phones answer without the browser', () => {
    expect(describeMonitorPhone(run([{ type: 'managed' }]))).toMatch(/simulated/);
    expect(describeMonitorPhone(run([{ type: 'external' }]))).toMatch(/own phone rings/);
  });
});
