import type { PhoneInput } from '../../phone/phone-state.js';

/** What the supervisor's monitoring phone is doing, as the dashboard header shows it. */
export type MonitorPhoneStatus =
  | { kind: 'off' }
  | { kind: 'sim' }
  | { kind: 'external' }
  | { kind: 'starting' }
  | { kind: 'ready' }
  | { kind: 'in_call' }
  | { kind: 'problem'; reason: string };

/**
 * Folds the softphone's inputs into the monitoring phone's status. The supervisor's phone never
 * dials: it registers and answers the calls Asterisk places to it for listen, whisper and barge.
 */
export function monitorPhoneReduce(s: MonitorPhoneStatus, i: PhoneInput): MonitorPhoneStatus {
  switch (i.type) {
    case 'reset':
      return { kind: 'off' };
    case 'external':
      return { kind: 'external' };
    case 'managed':
      return { kind: 'sim' };
    case 'unavailable':
      return { kind: 'problem', reason: i.reason };
    case 'mic_error':
      return {
        kind: 'problem',
        reason:
          i.name === 'NotAllowedError' || i.name === 'SecurityError'
            ? 'the browser refused the microphone: allow it for this site'
            : 'no microphone found',
      };
    case 'registration_failed':
      return { kind: 'problem', reason: `the phone server refused the phone (${i.cause})` };
    case 'ws_disconnected':
    case 'offline':
      return { kind: 'problem', reason: 'no connection to the phone server; retrying' };
    case 'registered':
      return s.kind === 'in_call' ? s : { kind: 'ready' };
    case 'leg_up':
      return { kind: 'in_call' };
    case 'leg_down':
    case 'ice_failed':
      return { kind: 'ready' };
    case 'unregistered':
      return { kind: 'problem', reason: 'the phone is not registered' };
    default:
      return s.kind === 'off' ? { kind: 'starting' } : s;
  }
}

/** The header's words for the status. */
export function describeMonitorPhone(s: MonitorPhoneStatus): string {
  switch (s.kind) {
    case 'off':
    case 'starting':
      return 'Monitoring phone: starting';
    case 'sim':
      return 'Monitoring phone: simulated (answers by itself)';
    case 'external':
      return 'Monitoring phone: your own phone rings when you listen, whisper or barge';
    case 'ready':
      return 'Monitoring phone: ready';
    case 'in_call':
      return 'Monitoring phone: on a monitored call';
    case 'problem':
      return `Monitoring phone: ${s.reason}`;
  }
}
