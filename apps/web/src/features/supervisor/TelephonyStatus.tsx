import { useEffect, useState } from 'react';
import type { TelephonyStatusResponse } from '@ringside/protocol';
import type { SupervisorApi } from './api.js';
import { describeTelephony } from './telephony-status.js';

/**
 * The phone servers in the dashboard header: up or down, the codecs the agents' phones use, and
 * missing modules. Read once, and again whenever a telephony.status event says a server changed
 * (`version` counts those events).
 */
export function TelephonyStatus(props: { api: SupervisorApi; version: number }) {
  const [status, setStatus] = useState<TelephonyStatusResponse | null>(null);
  useEffect(() => {
    let live = true;
    props.api
      .telephony()
      .then((t) => live && setStatus(t))
      .catch(() => live && setStatus(null));
    return () => {
      live = false;
    };
  }, [props.api, props.version]);
  if (!status) return null;
  return (
    <span className="sv-telephony" aria-label="Phone servers">
      {describeTelephony(status).map((l) => (
        <span key={l.serverId} data-ok={l.ok}>
          {l.text}
        </span>
      ))}
    </span>
  );
}
