import {
  WRAPUP_EXTENDED_REASON,
  WRAPUP_TIMEOUT_REASON,
  type AgentMonitorStarted,
  type AgentStateChanged,
  type AgentStatusView,
  type CallStage,
  type DomainEvent,
  type LiveCallView,
} from '@ringside/protocol';
import { CALL_LOST_TEXT } from './describe.js';
import { applyRecording, recordingFor } from './recording.js';
import {
  IDLE_STATES,
  newCall,
  stateOf,
  type CallInfo,
  type MonitorInfo,
  type Notice,
  type PanelEffect,
  type PanelInput,
  type PanelResult,
  type PanelState,
} from './state.js';

/**
 * The reducer: only what the server says moves the agent (the snapshot on (re)subscribe, pushed
 * domain events, the answers of the agent's own HTTP actions); it never guesses from a click.
 */

function fromView(v: LiveCallView): CallInfo {
  return newCall(v.callId, {
    leadId: v.leadId,
    campaignId: v.campaignId,
    phone: v.phone,
    stage: v.stage,
    manual: v.manual,
    bridgedAtMs: v.bridgedAtMs,
    endedAtMs: v.endedAtMs,
    amdResult: v.amdResult ?? null,
  });
}

/** Clears everything tied to a call. */
function withoutCall(s: PanelState): PanelState {
  return {
    ...s,
    call: null,
    lead: null,
    dispositionDue: null,
    hangupRequested: null,
    hold: false,
    muted: false,
    monitor: null,
    recording: null,
  };
}

/** The monitoring the agent should see, from an event or a snapshot (listen: none). */
function monitorOf(e: AgentMonitorStarted | null | undefined): MonitorInfo | null {
  if (!e || e.mode === 'listen') return null;
  return {
    mode: e.mode,
    supervisorId: e.supervisorId,
    supervisorName: e.supervisorName,
    callId: e.callId,
  };
}

/**
 * Applies an agent status (from a snapshot, an event or an HTTP answer) and derives what follows
 * for the call: a new call id means a new screen pop; DEAD and WRAPUP mean a disposition is owed;
 * READY, PAUSED and LOGGED_OUT mean the server is done with the last call.
 */
function applyAgent(
  s0: PanelState,
  next: AgentStatusView | null,
  effects: PanelEffect[],
): PanelState {
  if (!next || next.state === 'LOGGED_OUT') return { ...withoutCall(s0), agent: next };
  let s: PanelState = { ...s0, agent: next };
  if (IDLE_STATES.has(next.state)) {
    s = withoutCall(s);
    // A manual dial is placed from PAUSED; its call id may arrive with the INCALL move.
    return { ...s, agent: { ...next, callId: null } };
  }
  const callId = next.callId ?? s.call?.callId ?? null;
  if (callId && s.call?.callId !== callId) {
    // A recording event can come before the panel opens its call: it belongs to it.
    const recording = recordingFor(s, callId);
    s = { ...withoutCall(s), agent: next, call: newCall(callId), recording };
    effects.push({ type: 'load_call', callId });
  }
  if (next.state === 'DEAD' && s.call) {
    s = {
      ...s,
      call: { ...s.call, endedBy: s.call.endedBy ?? 'customer' },
      hold: false,
      muted: false,
    };
  }
  if ((next.state === 'DEAD' || next.state === 'WRAPUP') && callId) {
    s = { ...s, dispositionDue: callId };
  }
  return s;
}

/** Whether a status is at least as new as the one held (an HTTP answer may arrive late). */
function isCurrent(held: AgentStatusView | null, next: AgentStatusView | null): boolean {
  if (!held || !next) return true;
  return next.sinceMs >= held.sinceMs;
}

function notice(s: PanelState, kind: Notice['kind'], text: string): PanelState {
  const id = s.noticeSeq + 1;
  return { ...s, notice: { id, kind, text }, noticeSeq: id };
}

function maybeLoadLead(s: PanelState, effects: PanelEffect[]): PanelState {
  const leadId = s.call?.leadId;
  if (!leadId || s.lead?.leadId === leadId) return s;
  effects.push({ type: 'load_lead', leadId });
  return { ...s, lead: { leadId, status: 'loading', lead: null, log: [], error: null } };
}

/** The lead of the panel's call as the agent knows it: its name, else its id. */
function leadLabel(s: PanelState): string {
  const l = s.lead?.lead;
  const name = [l?.firstName, l?.lastName].filter(Boolean).join(' ').trim();
  if (name) return name;
  const id = s.lead?.leadId ?? s.call?.leadId;
  return id ? `lead ${id}` : 'the lead';
}

/**
 * The server's wrap-up timeout filed the campaign's default disposition and moved the agent on:
 * say so calmly, in place of whatever notice was showing (the "submit the disposition first"
 * refusal is stale now).
 */
function autoFiledNotice(before: PanelState, after: PanelState, e: AgentStateChanged): PanelState {
  const what = before.wrapupDefault ?? "the campaign's default disposition";
  const then = e.to === 'PAUSED' ? ` You are paused (${e.pauseCode ?? 'WRAPUP'}).` : '';
  return notice(
    after,
    'info',
    `Wrap-up time ran out: filed as ${what} for ${leadLabel(before)}.${then}`,
  );
}

function onEvent(s: PanelState, e: DomainEvent, effects: PanelEffect[]): PanelState {
  switch (e.type) {
    case 'agent.state_changed': {
      if (s.agent && s.agent.agentId !== e.agentId) return s;
      // A wrap-up extension: same state and clock, a new deadline.
      if (e.from === e.to && e.reason === WRAPUP_EXTENDED_REASON) {
        if (s.agent?.state !== e.to || s.agent.sinceMs !== e.sinceMs) return s;
        if (e.wrapupUntilMs === undefined) return s;
        return { ...s, agent: { ...s.agent, wrapupUntilMs: e.wrapupUntilMs } };
      }
      // A phone-leg change is not a change of state: the state's clock keeps running.
      if (e.from === e.to && e.reason === 'system:leg' && s.agent) return s;
      const idle = IDLE_STATES.has(e.to);
      const next: AgentStatusView = {
        agentId: e.agentId,
        state: e.to,
        sinceMs: e.atMs,
        campaignId: e.to === 'LOGGED_OUT' ? null : e.campaignId,
        // The event carries the previous call id when the new state has none.
        callId: idle ? null : e.callId,
        pauseCode: e.to === 'PAUSED' ? e.pauseCode : null,
      };
      if (!isCurrent(s.agent, next)) return s;
      const s2 = applyAgent(s, next, effects);
      if (e.reason === 'system:heartbeat-lost') {
        return notice(s2, 'info', 'You were paused because the connection was lost.');
      }
      if (e.reason === WRAPUP_TIMEOUT_REASON && IDLE_STATES.has(e.to) && s.dispositionDue) {
        return autoFiledNotice(s, s2, e);
      }
      return s2;
    }
    case 'call.originated': {
      if (s.call && s.call.callId !== e.callId) return s;
      const call = s.call ?? newCall(e.callId);
      const s2 = {
        ...s,
        call: {
          ...call,
          leadId: e.leadId,
          campaignId: e.campaignId,
          manual: e.agentId !== null,
          stage: call.stage ?? 'DIALING',
        },
      };
      return maybeLoadLead(s2, effects);
    }
    case 'call.ringing':
    case 'call.answered':
    case 'call.waiting':
    case 'call.amd': {
      if (s.call?.callId !== e.callId || s.call.endedAtMs !== null) return s;
      const stage: CallStage =
        e.type === 'call.ringing' ? 'RINGING' : e.type === 'call.waiting' ? 'WAITING' : 'AMD';
      return { ...s, call: { ...s.call, stage } };
    }
    case 'call.bridged': {
      if (s.call?.callId === e.callId) {
        // A transfer's target is RESERVED for a call it may not read yet: now it is its own.
        if (!s.call.leadId) effects.push({ type: 'load_call', callId: e.callId });
        return { ...s, call: { ...s.call, stage: 'BRIDGED', bridgedAtMs: e.atMs } };
      }
      // The bridge event can come before the agent's move to INCALL: open the call now.
      const st = stateOf(s);
      if (st === 'READY' || st === 'RESERVED' || st === 'PAUSED') {
        effects.push({ type: 'load_call', callId: e.callId });
        return {
          ...withoutCall(s),
          call: newCall(e.callId, { stage: 'BRIDGED', bridgedAtMs: e.atMs }),
          recording: recordingFor(s, e.callId),
        };
      }
      return s;
    }
    case 'call.dropped':
    case 'call.safe_harbor':
      return s;
    case 'call.ended': {
      if (s.call?.callId !== e.callId) return s;
      const endedBy = e.reason
        ? 'server'
        : s.hangupRequested === e.callId
          ? 'agent'
          : (s.call.endedBy ?? 'customer');
      const st = stateOf(s);
      const wasConnected =
        s.call.bridgedAtMs !== null || st === 'INCALL' || st === 'DEAD' || st === 'WRAPUP';
      const s2: PanelState = e.reason ? notice(s, 'error', CALL_LOST_TEXT) : s;
      return {
        ...s2,
        call: { ...s.call, stage: 'ENDED', endedAtMs: e.atMs, outcome: e.outcome, endedBy },
        dispositionDue: wasConnected ? e.callId : s.dispositionDue,
        hold: false,
        muted: false,
        // Nobody whispers on an ended call (the server's agent.monitor.ended follows).
        monitor: null,
      };
    }
    case 'agent.homed':
      // A browser phone must register at the new home: the phone hook restarts on the count.
      if (e.reason !== 'server_lost' || (s.agent && s.agent.agentId !== e.agentId)) return s;
      return { ...s, rehomed: s.rehomed + 1 };
    case 'telephony.status':
      if (!e.up) return notice(s, 'error', 'The telephone system is unreachable; calls may fail.');
      return s;
    case 'agent.monitor.started': {
      if (s.agent && s.agent.agentId !== e.agentId) return s;
      const m = monitorOf(e);
      return m ? { ...s, monitor: m } : s;
    }
    case 'agent.monitor.ended':
      if (s.monitor?.callId !== e.callId || s.monitor.supervisorId !== e.supervisorId) return s;
      return { ...s, monitor: null };
    case 'recording.changed':
      return applyRecording(s, e);
    // Talk (messages, raised hands) is the Messages panel's, not the call panel's; the
    // recordings' backlog and quality review are the supervisors'; a machine's voicemail drop
    // never reaches an agent.
    case 'dialer.status':
    case 'campaign.settings_changed':
    case 'compliance.state_rules_changed':
    case 'talk.message':
    case 'talk.read':
    case 'talk.hand':
    case 'recording.backlog':
    case 'quality.scorecard_saved':
    case 'quality.review_saved':
    case 'quality.amd_marked':
    case 'call.talking':
    case 'call.voicemail':
      return s;
  }
}

/** One input in; the next state, and the reads the shell must do, out. Pure. */
export function reduce(s: PanelState, input: PanelInput): PanelResult {
  const effects: PanelEffect[] = [];
  let next: PanelState;
  switch (input.type) {
    case 'conn':
      next = { ...s, conn: input.status };
      break;
    case 'snapshot': {
      // The snapshot replaces what the panel knew about the agent and its call; what the panel
      // had loaded for the same call (the lead) is kept so a reconnect does not blank the screen.
      const agentCallId = input.data.agent?.callId ?? null;
      const view = input.data.calls.find((c) => c.callId === agentCallId) ?? input.data.calls[0];
      const callId = view?.callId ?? agentCallId;
      let base: PanelState = { ...s, agent: null };
      if (callId && s.call?.callId === callId) {
        const kept = s.call;
        base = {
          ...base,
          call: view
            ? {
                ...fromView(view),
                endedBy: kept.endedBy,
                outcome: kept.outcome,
                endedAtMs: view.endedAtMs ?? kept.endedAtMs,
              }
            : kept,
        };
      } else {
        base = { ...withoutCall(base), call: view ? fromView(view) : null };
      }
      next = maybeLoadLead(applyAgent(base, input.data.agent, effects), effects);
      next = { ...next, monitor: monitorOf(input.data.monitor) };
      // The stored status does not carry an extended deadline: keep the one the panel knew.
      const held = s.agent;
      if (
        held?.wrapupUntilMs !== undefined &&
        next.agent &&
        next.agent.wrapupUntilMs === undefined &&
        next.agent.state === held.state &&
        next.agent.sinceMs === held.sinceMs &&
        next.agent.callId === held.callId
      ) {
        next = { ...next, agent: { ...next.agent, wrapupUntilMs: held.wrapupUntilMs } };
      }
      // The call's recording (REC, Paused since when), as the recording.changed that put it there.
      for (const r of input.data.recordings ?? []) next = applyRecording(next, r);
      break;
    }
    case 'event':
      next = onEvent(s, input.event, effects);
      break;
    case 'session':
      next = isCurrent(s.agent, input.agent) ? applyAgent(s, input.agent, effects) : s;
      break;
    case 'call_loaded': {
      if (s.call?.callId !== input.call.callId) return { state: s, effects };
      const v = fromView(input.call);
      next = maybeLoadLead(
        {
          ...s,
          call: {
            ...s.call,
            leadId: v.leadId,
            campaignId: v.campaignId,
            phone: v.phone,
            manual: v.manual,
            stage: s.call.endedAtMs !== null ? s.call.stage : v.stage,
            bridgedAtMs: s.call.bridgedAtMs ?? v.bridgedAtMs,
            amdResult: v.amdResult ?? null,
          },
        },
        effects,
      );
      break;
    }
    case 'lead_loaded':
      if (s.lead?.leadId !== input.leadId) return { state: s, effects };
      next = {
        ...s,
        lead: { ...s.lead, status: 'loaded', lead: input.lead, log: input.log, error: null },
      };
      break;
    case 'lead_failed':
      if (s.lead?.leadId !== input.leadId) return { state: s, effects };
      next = { ...s, lead: { ...s.lead, status: 'failed', error: input.message } };
      break;
    case 'hangup_requested':
      next = { ...s, hangupRequested: input.callId };
      break;
    case 'disposed':
      // The server's session answer that follows moves the agent; the form closes now.
      next = s.dispositionDue === input.callId ? withoutCall(s) : s;
      break;
    case 'hold_set':
      next = { ...s, hold: input.on };
      break;
    case 'mute_set':
      next = { ...s, muted: input.on };
      break;
    case 'notice':
      next = notice(s, input.kind, input.text);
      break;
    case 'dismiss_notice':
      next = { ...s, notice: null };
      break;
    case 'wrapup_default':
      next = { ...s, wrapupDefault: input.label };
      break;
  }
  return { state: next, effects };
}
