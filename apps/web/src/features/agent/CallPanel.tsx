import { useCallback, useEffect, useId, useState, type ReactNode } from 'react';
import type { Campaign, Me, TransferBody, TransferTargetAgent } from '@ringside/protocol';
import type { ApiClient } from '../../core/api.js';
import { describeEnd, guard, stateOf } from '../../core/panel/index.js';
import { fillScript } from '../../core/script.js';
import { localTime } from '../../core/timezone.js';
import type { PanelController } from '../../app/usePanel.js';
import type { Focusers } from './controls.js';
import { ActionButton, EnterInput } from './controls.js';
import { AmdMarks } from './AmdMarks.js';
import { LeadRecordings } from '../recordings/RecordingList.js';
import { TransferPicker, externalNumber } from './TransferPicker.js';

const DTMF_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

/** The two toggles: pressed while on, labelled with what pressing them does. */
const TOGGLES = {
  hold: { shortcut: 'Alt+O', off: 'Hold', on: 'Resume' },
  mute: { shortcut: 'Alt+M', off: 'Mute', on: 'Unmute' },
} as const;

/** The screen pop: the lead, the script with its fields filled in, the lead's history. */
export function CallPanel(props: {
  api: ApiClient;
  panel: PanelController;
  me: Me;
  campaign: Campaign | null;
}) {
  const { api, panel, me, campaign } = props;
  const { state } = panel;
  const call = state.call;
  const st = stateOf(state);
  const end = describeEnd(state);

  if (!call) {
    return (
      <section aria-label="Call" className="card call-screen idle">
        <h2>No call</h2>
        <p>
          {st === 'READY'
            ? 'Waiting for the dialer to connect a customer.'
            : 'Go ready to take calls.'}
        </p>
      </section>
    );
  }

  const lead = state.lead?.lead ?? null;
  const name = [lead?.firstName, lead?.lastName].filter(Boolean).join(' ') || 'Unknown name';
  const script = campaign ? fillScript(campaign.script, lead, me.displayName) : null;
  const callId = call.callId;

  return (
    <section aria-label="Call" data-call-id={callId} className="card call-screen">
      <h2>
        {end
          ? end.heading
          : call.endedAtMs
            ? 'Call ended'
            : call.manual
              ? 'Manual call'
              : 'Call connected'}
      </h2>
      <section aria-label="Lead" className="lead-card">
        <h3>{state.lead?.status === 'loading' ? 'Loading lead…' : name}</h3>
        {state.lead?.status === 'failed' && <p className="tone-problem">{state.lead.error}</p>}
        <dl className="lead">
          <dt>Phone</dt>
          <dd>{lead?.phone ?? call.phone ?? '—'}</dd>
          <dt>City</dt>
          <dd>{[lead?.city, lead?.state, lead?.postalCode].filter(Boolean).join(', ') || '—'}</dd>
          <dt>Address</dt>
          <dd>{lead?.address ?? '—'}</dd>
          <dt>Time zone</dt>
          <dd>
            {lead?.timeZone
              ? `${lead.timeZone} (now ${localTime(lead.timeZone, Date.now()) ?? '?'})`
              : '—'}
          </dd>
          <dt>Status</dt>
          <dd>
            {lead?.status ?? '—'}
            {lead?.attempts !== undefined ? ` (attempt ${lead.attempts})` : ''}
          </dd>
          {Object.entries(lead?.custom ?? {}).map(([k, v]) => (
            <FieldRow key={k} name={k} value={v} />
          ))}
        </dl>
      </section>
      {call.amdResult === 'MACHINE' && !call.manual && <AmdMarks api={api} callId={callId} />}
      {script && (
        <section aria-label="Script">
          <h3>Script</h3>
          <p className="script">{script.text}</p>
          {script.missing.length > 0 && (
            <p className="tone-busy">Missing lead fields: {script.missing.join(', ')}</p>
          )}
        </section>
      )}
      <section aria-label="Lead history">
        <h3>History</h3>
        {state.lead?.log.length ? (
          <ol className="history">
            {state.lead.log.map((h, i) => (
              <li key={i}>
                {new Date(h.atMs).toLocaleString()} — {h.kind}
                {typeof h.detail?.code === 'string' ? ` (${h.detail.code})` : ''}
              </li>
            ))}
          </ol>
        ) : (
          <p>No earlier contact.</p>
        )}
      </section>
      {state.lead?.leadId && (
        <LeadRecordings
          leadId={state.lead.leadId}
          viewer={{ id: me.id, canReview: false }}
          hideWhenEmpty
        />
      )}
    </section>
  );
}

/**
 * The call controls: hang up, hold and mute first (the ones an agent reaches for under stress),
 * then transfer and the keypad. Only while the customer is on the line; once the customer has
 * gone (DEAD) only Hang up is left, and in wrap-up none (the disposition form takes the place).
 */
export function CallControls(props: {
  api: ApiClient;
  panel: PanelController;
  focus: Focusers;
  onHangup(): void;
  onHold(): void;
  onMute(): void;
  /** The call's recording (features/agent/recording), under the main controls. */
  recording?: ReactNode;
}) {
  const { api, panel, focus, onHangup, onHold, onMute } = props;
  const { state, act, dispatch } = panel;
  const [transferAgent, setTransferAgent] = useState<TransferTargetAgent | null>(null);
  const [transferNumber, setTransferNumber] = useState('');
  const [numberError, setNumberError] = useState<string | null>(null);
  const numberErrorId = useId();
  // An agent and a number are alternatives: picking one clears the other.
  const pickAgent = useCallback((a: TransferTargetAgent | null) => {
    setTransferAgent(a);
    if (a) {
      setTransferNumber('');
      setNumberError(null);
    }
  }, []);
  const currentCallId = state.call?.callId ?? null;
  useEffect(() => {
    // A target picked for one call is not meant for the next one.
    setTransferAgent(null);
    setTransferNumber('');
    setNumberError(null);
  }, [currentCallId]);
  const [transferKind, setTransferKind] = useState<'blind' | 'warm'>('blind');
  const [warmPending, setWarmPending] = useState(false);
  const [digits, setDigits] = useState('');
  const call = state.call;
  const st = stateOf(state);
  if (!call || st === 'WRAPUP') return null;
  const live = st !== 'DEAD' && call.endedAtMs === null;
  const callId = call.callId;

  /** The number field's problem, or null when it is empty or a valid +E.164 number. */
  const checkNumber = (text: string): string | null =>
    text.trim() && !externalNumber(text)
      ? 'Enter the number in +E.164 form: + then country code and number, such as +14155550123.'
      : null;
  const transfer = () =>
    void act('transfer', async () => {
      let to: TransferBody['to'];
      if (transferAgent) to = { agentId: transferAgent.agentId };
      else if (transferNumber.trim()) {
        const problem = checkNumber(transferNumber);
        setNumberError(problem);
        const number = externalNumber(transferNumber);
        if (problem || !number) throw new Error(problem ?? 'Check the external number.');
        to = { number };
      } else throw new Error('Pick an agent, or enter an external number, to transfer to.');
      await api.transfer(callId, transferKind, to);
      if (transferKind === 'warm') setWarmPending(true);
      dispatch({
        type: 'notice',
        kind: 'info',
        text: transferKind === 'warm' ? 'Consulting the transfer target…' : 'Call transferred.',
      });
    });
  /** Ends a warm transfer's consultation: completes it, or cancels it back to the agent. */
  const endWarm = (end: () => Promise<unknown>) =>
    void act('transfer', async () => {
      await end();
      setWarmPending(false);
    });
  const sendDigits = (d: string) =>
    void act('dtmf', async () => {
      if (!/^[0-9*#]{1,32}$/.test(d)) throw new Error('Tones are 0-9, * and #.');
      await api.dtmf(callId, d);
      setDigits('');
    });

  return (
    <section aria-label="Call controls" className="card call-controls">
      <h2 className="sr-only">Call controls</h2>
      <div className="row main-controls">
        <ActionButton
          className="danger big"
          refusal={guard(state, 'hangup')}
          onClick={onHangup}
          shortcut="Alt+H"
          buttonRef={focus.hangup}
        >
          Hang up
        </ActionButton>
        {live &&
          (
            [
              ['hold', state.hold, onHold],
              ['mute', state.muted, onMute],
            ] as const
          ).map(([action, on, run]) => (
            <ActionButton
              key={action}
              className="big"
              refusal={guard(state, action)}
              onClick={run}
              shortcut={TOGGLES[action].shortcut}
              pressed={on}
            >
              {on ? TOGGLES[action].on : TOGGLES[action].off}
            </ActionButton>
          ))}
      </div>
      {props.recording}
      {live && (
        <>
          <div className="control-group" role="group" aria-label="Transfer">
            <TransferPicker
              api={api}
              inputRef={focus.transfer}
              selected={transferAgent}
              onSelect={pickAgent}
              campaignId={call.campaignId}
            />
            <label>
              Or external number
              <input
                type="tel"
                inputMode="tel"
                autoComplete="off"
                placeholder="+14155550123"
                value={transferNumber}
                aria-invalid={numberError ? 'true' : undefined}
                aria-describedby={numberError ? numberErrorId : undefined}
                onChange={(e) => {
                  setTransferNumber(e.target.value);
                  if (e.target.value.trim()) setTransferAgent(null);
                  if (numberError) setNumberError(checkNumber(e.target.value));
                }}
                onBlur={(e) => setNumberError(checkNumber(e.target.value))}
              />
            </label>
            {numberError && (
              <p id={numberErrorId} className="tone-problem">
                {numberError}
              </p>
            )}
            <div className="row">
              <label>
                Kind
                <select
                  className="pick"
                  value={transferKind}
                  onChange={(e) => setTransferKind(e.target.value === 'warm' ? 'warm' : 'blind')}
                >
                  <option value="blind">Blind</option>
                  <option value="warm">Warm (consult first)</option>
                </select>
              </label>
              <ActionButton refusal={guard(state, 'transfer')} onClick={transfer} shortcut="Alt+T">
                Transfer
              </ActionButton>
            </div>
            {warmPending && (
              <div className="row">
                <button type="button" onClick={() => endWarm(() => api.transferComplete(callId))}>
                  Complete transfer
                </button>
                <button type="button" onClick={() => endWarm(() => api.transferCancel(callId))}>
                  Cancel transfer
                </button>
              </div>
            )}
          </div>
          <div className="control-group keypad-group">
            <div className="row">
              <EnterInput
                label="Tones"
                inputRef={focus.dtmf}
                value={digits}
                onChange={setDigits}
                onEnter={() => sendDigits(digits)}
              />
              <ActionButton
                refusal={guard(state, 'dtmf')}
                onClick={() => sendDigits(digits)}
                shortcut="Alt+K"
              >
                Send tones
              </ActionButton>
            </div>
            <div role="group" aria-label="Keypad" className="keypad">
              {DTMF_KEYS.map((k) => (
                <button
                  key={k}
                  type="button"
                  aria-label={`Tone ${k}`}
                  aria-disabled={guard(state, 'dtmf') ? 'true' : undefined}
                  onClick={() => sendDigits(k)}
                >
                  {k}
                </button>
              ))}
            </div>
          </div>
        </>
      )}
    </section>
  );
}

function FieldRow({ name, value }: { name: string; value: unknown }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>
        {typeof value === 'string' || typeof value === 'number'
          ? String(value)
          : JSON.stringify(value)}
      </dd>
    </>
  );
}
