import { useEffect, useReducer, useRef } from 'react';
import { refusalMessage } from '../../core/api.js';
import type { Softphone } from '../../phone/softphone.js';
import type { SupervisorApi } from './api.js';
import {
  describeMonitorPhone,
  monitorPhoneReduce,
  type MonitorPhoneStatus,
} from './monitor-phone.js';

/**
 * The supervisor's phone for listen, whisper and barge: on a real Asterisk the browser itself
 * (a softphone that registers and answers the calls Asterisk places to it, never dials), on the
 * simulated PBX a phone that answers by itself, or the supervisor's own desk phone.
 */
export function MonitorPhone(props: { api: SupervisorApi }) {
  const [status, dispatch] = useReducer(monitorPhoneReduce, {
    kind: 'off',
  } as MonitorPhoneStatus);
  const audio = useRef<HTMLAudioElement | null>(null);
  const soft = useRef<Softphone | null>(null);

  useEffect(() => {
    let stopped = false;
    void (async () => {
      try {
        const cfg = await props.api.phone();
        if (stopped) return;
        if (cfg.mode === 'external') return dispatch({ type: 'external' });
        if (cfg.mode === 'sim' || !cfg.sip) return dispatch({ type: 'managed' });
        const el = audio.current;
        if (!el) return;
        const { Softphone } = await import('../../phone/softphone.js');
        if (stopped) return;
        soft.current = new Softphone({
          account: { ...cfg.sip },
          audio: el,
          answerIncoming: true,
          dialOnRegister: false,
          onInput: dispatch,
        });
        await soft.current.start();
      } catch (err) {
        if (!stopped) dispatch({ type: 'unavailable', reason: refusalMessage(err) });
      }
    })();
    return () => {
      stopped = true;
      soft.current?.stop();
      soft.current = null;
    };
  }, [props.api]);

  return (
    <span
      className="sv-phone-status"
      role="status"
      aria-label="Monitoring phone"
      data-monitor-phone={status.kind}
    >
      {describeMonitorPhone(status)}
      <audio ref={audio} autoPlay />
    </span>
  );
}
