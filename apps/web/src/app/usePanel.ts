import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AgentStatusView } from '@ringside/protocol';
import { ApiError, refusalMessage, type ApiClient } from '../core/api.js';
import {
  guard,
  initialPanel,
  reduce,
  type PanelAction,
  type PanelEffect,
  type PanelInput,
  type PanelState,
} from '../core/panel/index.js';
import { gatewayUrl, RealtimeClient } from '../core/realtime.js';
import { browserSocket } from './browser-socket.js';

export interface PanelController {
  state: PanelState;
  dispatch(input: PanelInput): void;
  /**
   * Runs an agent action: checks it against the state machine first (refusal shown, nothing
   * sent), then calls the API; a server refusal is shown the same way. Resolves to true when the
   * server accepted it.
   */
  act(action: PanelAction, run: () => Promise<unknown>): Promise<boolean>;
  /** For session actions: applies the returned agent status at once. */
  applySession(agent: AgentStatusView | null): void;
  realtime: RealtimeClient;
}

/**
 * Runs the panel state machine in React: the realtime client feeds it, its effects (loading the
 * call and the lead) run here, and its state renders the panel. One instance per signed-in page.
 */
export function usePanel(api: ApiClient): PanelController {
  const [state, setState] = useState<PanelState>(initialPanel);
  const ref = useRef<PanelState>(initialPanel);

  const dispatchRef = useRef<(i: PanelInput) => void>(() => undefined);
  const runEffect = useCallback(
    (e: PanelEffect) => {
      const dispatch = (i: PanelInput) => dispatchRef.current(i);
      switch (e.type) {
        case 'load_call':
          api
            .getCall(e.callId)
            .then((r) => dispatch({ type: 'call_loaded', call: r.call }))
            .catch(() => undefined); // an ended call may be gone; the events still drive the panel
          return;
        case 'load_lead':
          api
            .lead(e.leadId)
            .then((r) =>
              dispatch({ type: 'lead_loaded', leadId: e.leadId, lead: r.lead, log: r.history }),
            )
            .catch((err: unknown) =>
              dispatch({ type: 'lead_failed', leadId: e.leadId, message: refusalMessage(err) }),
            );
          return;
      }
    },
    [api],
  );

  const dispatch = useCallback(
    (input: PanelInput) => {
      const r = reduce(ref.current, input);
      ref.current = r.state;
      setState(r.state);
      for (const e of r.effects) runEffect(e);
    },
    [runEffect],
  );
  dispatchRef.current = dispatch;

  const realtimeRef = useRef<RealtimeClient | null>(null);
  const realtime = useMemo(
    () =>
      new RealtimeClient({
        url: gatewayUrl(window.location.origin),
        createSocket: browserSocket,
        handlers: {
          onSnapshot: (data) => dispatchRef.current({ type: 'snapshot', data }),
          onEvent: (data) => dispatchRef.current({ type: 'event', event: data.event }),
          onStatus: (status, detail) => {
            dispatchRef.current({ type: 'conn', status });
            // A refused upgrade looks like a network failure to the browser: every third failed
            // attempt, ask the API whether the session itself has ended.
            if (status === 'reconnecting' && detail.attempt % 3 === 2) {
              api.me().catch((err: unknown) => {
                if (err instanceof ApiError && err.status === 401) {
                  realtimeRef.current?.stop();
                  dispatchRef.current({ type: 'conn', status: 'unauthorized' });
                }
              });
            }
          },
          onServerError: (data) =>
            dispatchRef.current({ type: 'notice', kind: 'error', text: data.message }),
        },
      }),
    [api],
  );
  realtimeRef.current = realtime;

  useEffect(() => {
    realtime.start();
    return () => realtime.stop();
  }, [realtime]);

  const act = useCallback(
    async (action: PanelAction, run: () => Promise<unknown>) => {
      const refusal = guard(ref.current, action);
      if (refusal) {
        dispatch({ type: 'notice', kind: 'refusal', text: refusal });
        return false;
      }
      try {
        await run();
        return true;
      } catch (err) {
        dispatch({ type: 'notice', kind: 'refusal', text: refusalMessage(err) });
        return false;
      }
    },
    [dispatch],
  );

  const applySession = useCallback(
    (agent: AgentStatusView | null) => dispatch({ type: 'session', agent }),
    [dispatch],
  );

  return { state, dispatch, act, applySession, realtime };
}
