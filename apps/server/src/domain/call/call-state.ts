import type {
  AgentId,
  AmdResult,
  CallEndReason,
  CallId,
  CallOutcome,
  CallStage,
  CampaignId,
  DomainEvent,
  LeadId,
} from '@ringside/protocol';

/**
 * The call state machine (pure): what happens to one outbound call from the origination to its
 * end, as the dialer (which decides) and the ARI worker (which observes Asterisk) both see it.
 *
 *   dialing --ringing--> ringing --answered--> answered --amd--> answered (verdict recorded)
 *   dialing|ringing|answered --route--> handoff (a person may be there: find an agent)
 *                                     | machine (MACHINE verdict hung up on or left a message)
 *   handoff --agent_reserved--> handoff (+bridgeToAgent) --bridged--> bridged
 *   handoff --no_agent--> waiting (+armDeadline, park) | dropping (no time left)
 *   waiting --claim--> handoff (an agent frees up)   waiting --deadline--> dropping
 *   dropping: playSafeHarbor, then hangup (message over, failed, or the fallback timer)
 *   any --ended--> ended; nothing leaves ended.
 *
 * `transition` never throws: an event a phase does not take is ignored (the call and no effects
 * come back unchanged), because both sides receive facts more than once and out of order (a
 * replayed ARI event, a verdict seen again at a lease take-over). The caller runs the effects in
 * order; a `publish` effect is for the side that owns live_call (the ARI worker): the dialer
 * learns those facts from the bus and skips them.
 */

/** Where a call is in its life; `stageOf` maps it to the live_call stage the worker stores. */
export type CallPhase =
  /** Originated, no ring yet. */
  | 'dialing'
  | 'ringing'
  /** Answered; answering-machine detection running, or its verdict not acted on yet. */
  | 'answered'
  /** The verdict says a person may be on the line: an agent is being reserved and bridged. */
  | 'handoff'
  /** No agent free: parked (holding bridge) until one frees up or the drop deadline passes. */
  | 'waiting'
  /** With an agent. */
  | 'bridged'
  /** No agent in time: the safe-harbor message, then the hang-up. */
  | 'dropping'
  /** MACHINE verdict hung up on, or leaving the campaign's message. */
  | 'machine'
  | 'ended';

/** What the dialer does with a MACHINE verdict (the campaign, the AMD rule and the audit decide). */
export type MachinePolicy = 'agent' | 'hangup' | 'message';

export interface Call {
  callId: CallId;
  campaignId: CampaignId;
  leadId: LeadId;
  /** Placed by an agent (manual/preview): answered, it goes straight to that agent. */
  manual: boolean;
  phase: CallPhase;
  agentId: AgentId | null;
  answeredAtMs: number | null;
  amdAtMs: number | null;
  amdResult: AmdResult | null;
  /** When the safe-harbor message started (call.dropped). */
  droppedAtMs: number | null;
  /** The holding bridge the customer is in, when parked. */
  parkedIn: string | null;
  /** It waited for an agent (parked) before its hand-off. */
  wasParked: boolean;
  /** The drop deadline passed while a hand-off attempt was in progress. */
  deadlinePassed: boolean;
  /** A MACHINE verdict hung up on (or given the message): an estimated drop in the ledger. */
  amdHungUp: boolean;
}

export type CallEvent =
  | { type: 'ringing'; atMs: number }
  | { type: 'answered'; atMs: number }
  /** The AMD verdict (a fact; `cause` is Asterisk's AMDCAUSE when the worker saw it). */
  | { type: 'amd'; result: AmdResult; cause?: string; atMs: number }
  /** The dialer acts on the recorded verdict; `machine` only matters for a MACHINE verdict. */
  | { type: 'route'; machine: MachinePolicy }
  /** An agent with a phone leg was reserved for the call; its bridge is `bridgeId`. */
  | { type: 'agent_reserved'; agentId: AgentId; bridgeId: string }
  /** The reserved agent could not take it (no leg, bridge gone): another is tried. */
  | { type: 'agent_failed' }
  /** The customer is in the agent's bridge. `bridgeId` is known on the worker's side. */
  | { type: 'bridged'; agentId: AgentId | null; bridgeId?: string; atMs: number }
  /** The customer left before the hand-off finished; call.ended follows. */
  | { type: 'customer_gone' }
  /** No agent free now; `holdLeftMs`: how long it may still wait before the drop must start. */
  | { type: 'no_agent'; holdLeftMs: number }
  /** The customer entered the holding bridge. */
  | { type: 'parked'; bridgeId: string; atMs: number }
  /** A waiting call is taken from the queue to try the agent that just went ready. */
  | { type: 'claim' }
  /** The drop deadline timer fired. */
  | { type: 'deadline' }
  /** Drop now (no agent in time). */
  | { type: 'drop' }
  /** The safe-harbor message started playing (the worker saw the playback). */
  | { type: 'safe_harbor_started'; atMs: number }
  /** The safe-harbor message finished. */
  | { type: 'safe_harbor_done'; playbackId?: string; atMs: number }
  /** Starting a message (safe harbor or machine) failed. */
  | { type: 'play_failed' }
  /** The machine message played to its end (or ran out of time). */
  | { type: 'machine_done' }
  /** The call cannot go on (a manual call whose agent has no leg): hang it up. */
  | { type: 'give_up' }
  | {
      type: 'ended';
      outcome: CallOutcome;
      hangupCause?: number | null;
      reason?: CallEndReason;
      atMs: number;
    };

/** Work the caller runs after the transition, in order. */
export type CallEffect =
  /** Reserve the campaign's longest-ready agent for the call (then agent_reserved or no_agent). */
  | { kind: 'findAgent' }
  /** Manual call answered: add it to the bridge of the agent who placed it. */
  | { kind: 'bridgeToOwnAgent' }
  /** Move the customer into the agent's bridge (out of `fromHolding` first), then connect. */
  | { kind: 'bridgeToAgent'; agentId: AgentId; bridgeId: string; fromHolding: string | null }
  /** Queue the call for the next ready agent and put it in the holding bridge. */
  | { kind: 'park' }
  /** Put a claimed call back at the head of the queue (still parked). */
  | { kind: 'requeue' }
  /** Drop when this many ms have passed (the deadline event). */
  | { kind: 'armDeadline'; ms: number }
  | { kind: 'cancelDeadline' }
  /** Take the customer out of the holding bridge. */
  | { kind: 'unpark'; bridgeId: string }
  | { kind: 'playSafeHarbor' }
  | { kind: 'playMachineMessage' }
  /** Hang up after this many ms if the call's end was never reported. */
  | { kind: 'armHangup'; ms: number }
  /** Hang up the customer's channel now (any armed hang-up timer is cancelled). */
  | { kind: 'hangup' }
  /** Publish this domain event (the live_call owner's side). */
  | { kind: 'publish'; event: DomainEvent };

export interface CallTransition {
  call: Call;
  effects: CallEffect[];
}

/** Hang up a dropped call this long after the message started if its end was never reported. */
export const SAFE_HARBOR_HANGUP_FALLBACK_MS = 30_000;

/** A call just originated (or adopted: pass the facts live_call already holds). */
export function originated(
  c: Pick<Call, 'callId' | 'campaignId' | 'leadId' | 'manual'> & Partial<Call>,
): Call {
  return {
    phase: 'dialing',
    agentId: null,
    answeredAtMs: null,
    amdAtMs: null,
    amdResult: null,
    droppedAtMs: null,
    parkedIn: null,
    wasParked: false,
    deadlinePassed: false,
    amdHungUp: false,
    ...c,
  };
}

/** Before the verdict is acted on: the phases `route` takes. */
export function undecided(phase: CallPhase): boolean {
  return phase === 'dialing' || phase === 'ringing' || phase === 'answered';
}

/** The live_call stage of a phase (handoff is still AMD to the worker: no bridge entered yet). */
export function stageOf(call: Call): CallStage {
  switch (call.phase) {
    case 'dialing':
      return 'DIALING';
    case 'ringing':
      return 'RINGING';
    case 'answered':
    case 'handoff':
      return call.parkedIn ? 'WAITING' : 'AMD';
    case 'waiting':
      return 'WAITING';
    case 'bridged':
      return 'BRIDGED';
    case 'dropping':
      return 'SAFE_HARBOR';
    case 'machine':
      return 'MACHINE_MESSAGE';
    case 'ended':
      return 'ENDED';
  }
}

const same = (call: Call): CallTransition => ({ call, effects: [] });

/** The drop: out of the holding bridge, the safe-harbor message, a fallback hang-up timer. */
function dropping(call: Call): CallTransition {
  if (call.phase === 'dropping' || call.phase === 'ended' || call.phase === 'bridged')
    return same(call);
  const effects: CallEffect[] = [{ kind: 'cancelDeadline' }];
  if (call.parkedIn) effects.push({ kind: 'unpark', bridgeId: call.parkedIn });
  effects.push(
    { kind: 'playSafeHarbor' },
    { kind: 'armHangup', ms: SAFE_HARBOR_HANGUP_FALLBACK_MS },
  );
  return { call: { ...call, phase: 'dropping', parkedIn: null }, effects };
}

/** Applies one event to a call. Total: an event the phase does not take changes nothing. */
export function transition(call: Call, e: CallEvent): CallTransition {
  if (call.phase === 'ended') return same(call);
  const publish = (event: DomainEvent): CallEffect => ({ kind: 'publish', event });
  const id = call.callId;
  switch (e.type) {
    case 'ringing':
      if (call.phase !== 'dialing') return same(call);
      return {
        call: { ...call, phase: 'ringing' },
        effects: [publish({ type: 'call.ringing', callId: id, atMs: e.atMs })],
      };
    case 'answered':
      if (call.answeredAtMs !== null) return same(call);
      return {
        call: {
          ...call,
          answeredAtMs: e.atMs,
          phase: undecided(call.phase) ? 'answered' : call.phase,
        },
        effects: [publish({ type: 'call.answered', callId: id, atMs: e.atMs })],
      };
    case 'amd': {
      if (call.amdResult !== null) return same(call);
      // A verdict implies an answer: a PBX that skipped the Up state still answers first.
      const answered = transition(call, { type: 'answered', atMs: e.atMs });
      const next: Call = {
        ...answered.call,
        amdResult: e.result,
        amdAtMs: e.atMs,
        phase: undecided(answered.call.phase) ? 'answered' : answered.call.phase,
      };
      const cause = (e.cause ?? '').slice(0, 64);
      return {
        call: next,
        effects: [
          ...answered.effects,
          publish({ type: 'call.amd', callId: id, result: e.result, cause, atMs: e.atMs }),
        ],
      };
    }
    case 'route': {
      if (!undecided(call.phase)) return same(call);
      if (call.manual)
        return { call: { ...call, phase: 'handoff' }, effects: [{ kind: 'bridgeToOwnAgent' }] };
      if (call.amdResult !== 'MACHINE' || e.machine === 'agent')
        // HUMAN and NOTSURE both go to an agent: a person may be on the line.
        return { call: { ...call, phase: 'handoff' }, effects: [{ kind: 'findAgent' }] };
      return {
        call: { ...call, phase: 'machine', amdHungUp: true },
        effects: [{ kind: e.machine === 'message' ? 'playMachineMessage' : 'hangup' }],
      };
    }
    case 'agent_reserved':
      if (call.phase !== 'handoff') return same(call);
      return {
        call: { ...call, parkedIn: null },
        effects: [
          {
            kind: 'bridgeToAgent',
            agentId: e.agentId,
            bridgeId: e.bridgeId,
            fromHolding: call.parkedIn,
          },
        ],
      };
    case 'agent_failed':
      if (call.phase !== 'handoff') return same(call);
      // The deadline passed while this agent was tried: no other is tried, the call drops.
      if (call.deadlinePassed) return dropping(call);
      return { call, effects: [{ kind: 'findAgent' }] };
    case 'bridged': {
      const next: Call = {
        ...call,
        phase: 'bridged',
        agentId: e.agentId ?? call.agentId,
        parkedIn: null,
      };
      const effects: CallEffect[] = [{ kind: 'cancelDeadline' }];
      if (e.bridgeId !== undefined && next.agentId)
        effects.push(
          publish({
            type: 'call.bridged',
            callId: id,
            agentId: next.agentId,
            bridgeId: e.bridgeId,
            atMs: e.atMs,
          }),
        );
      return { call: next, effects };
    }
    case 'customer_gone':
      return { call: { ...call, phase: 'ended' }, effects: [{ kind: 'cancelDeadline' }] };
    case 'no_agent':
      if (call.phase !== 'handoff') return same(call);
      if (call.deadlinePassed || e.holdLeftMs <= 0) return dropping(call);
      // Parked before (claimed from the queue): back to the head, its deadline still armed.
      if (call.wasParked)
        return { call: { ...call, phase: 'waiting' }, effects: [{ kind: 'requeue' }] };
      // The deadline first: parking waits for Asterisk, the 2 s of the rule do not.
      return {
        call: { ...call, phase: 'waiting', wasParked: true },
        effects: [{ kind: 'armDeadline', ms: e.holdLeftMs }, { kind: 'park' }],
      };
    case 'parked': {
      if (call.phase === 'bridged' || call.phase === 'dropping' || call.phase === 'machine')
        return same(call);
      const was = call.phase;
      const next: Call = {
        ...call,
        parkedIn: e.bridgeId,
        wasParked: true,
        // The worker does not see the dialer's hand-off: to it, a parked call is waiting.
        phase: undecided(was) ? 'waiting' : was,
      };
      return {
        call: next,
        effects:
          call.parkedIn === e.bridgeId
            ? []
            : [publish({ type: 'call.waiting', callId: id, atMs: e.atMs })],
      };
    }
    case 'claim':
      if (call.phase !== 'waiting') return same(call);
      return { call: { ...call, phase: 'handoff' }, effects: [{ kind: 'findAgent' }] };
    case 'deadline':
      if (call.phase === 'waiting') return dropping(call);
      if (call.phase === 'handoff') return same({ ...call, deadlinePassed: true });
      return same(call);
    case 'drop':
      return dropping(call);
    case 'safe_harbor_started': {
      if (call.phase === 'bridged' || call.amdResult === 'MACHINE' || call.droppedAtMs !== null)
        return same(call);
      if (call.answeredAtMs === null) return same(call);
      const waitMs = Math.max(0, e.atMs - (call.amdAtMs ?? call.answeredAtMs));
      return {
        call: { ...call, phase: 'dropping', droppedAtMs: e.atMs },
        effects: [
          publish({
            type: 'call.dropped',
            callId: id,
            campaignId: call.campaignId,
            waitMs,
            atMs: e.atMs,
          }),
        ],
      };
    }
    case 'safe_harbor_done': {
      // The message finished: the drop ends with a hang-up.
      const effects: CallEffect[] = [];
      if (call.droppedAtMs !== null)
        effects.push(
          publish({
            type: 'call.safe_harbor',
            callId: id,
            playbackId: (e.playbackId ?? `sh-${id}`).slice(0, 128),
            startedAtMs: call.droppedAtMs,
            atMs: e.atMs,
          }),
        );
      effects.push({ kind: 'hangup' });
      return { call, effects };
    }
    case 'play_failed':
    case 'machine_done':
    case 'give_up':
      return { call, effects: [{ kind: 'hangup' }] };
    case 'ended':
      return {
        call: { ...call, phase: 'ended', parkedIn: null },
        effects: [
          { kind: 'cancelDeadline' },
          publish({
            type: 'call.ended',
            callId: id,
            campaignId: call.campaignId,
            leadId: call.leadId,
            outcome: e.outcome,
            hangupCause: e.hangupCause ?? null,
            agentId: call.agentId,
            ...(e.reason ? { reason: e.reason } : {}),
            atMs: e.atMs,
          }),
        ],
      };
  }
}
