import type { AgentState, CallStage } from '@ringside/protocol';
import { takesCalls } from './guard.js';
import type { LedgerView } from './ledger.js';
import type {
  AgentView,
  CallView,
  PacingControl,
  PacingDecision,
  PacingInput,
  PacingSettings,
  PredictiveTuning,
} from './pacing-types.js';

/*
 * The parts of a pacing decision every mode shares: the census of agents and calls, the line cap,
 * the fixed modes (progressive, ratio), and the drop-rate controller the predictive mode runs.
 */

// A local copy: a transpiled module may read imported bindings through getters.
const takesCallsLocal = takesCalls;

/**
 * The controller while the drop budget forces progressive dialing. A counted drop since the marks
 * (whole drops: the calls placed before pushed us here) closes the period and is measured at once,
 * so theta falls; otherwise the marks follow the ledger and the progressive stretch is not measured.
 * Estimated AMD drops (a fraction of a person per MACHINE hang-up, amd.ts) do not close it: they
 * come with every dial, whatever the pacing, and a window of a few hundredths of an answer
 * carrying one of them reads as a 100 % drop rate (in A1-S3 day 0 such windows drove theta from
 * 0.02 to its floor 0.002 in minutes; docs/pacing.md).
 */
export function closePeriod(
  prev: PacingControl | undefined,
  ledger: LedgerView,
  targetPct: number,
  t: PredictiveTuning,
): PacingControl {
  const theta = prev?.theta ?? t.theta;
  if (prev && ledger.drops - prev.dropsAt >= 1)
    return updateControl(prev, ledger, targetPct, { ...t, controlEveryHumans: 0 });
  return { theta, humansAt: ledger.humans, dropsAt: ledger.drops };
}

/**
 * One step of the drop-rate controller: every controlEveryHumans human answers, compare the drop
 * rate of those answers with the spending plan's target and move log theta by gain x the relative
 * gap (an integral controller: theta settles where the realised rate meets the target, whatever
 * the team size or list). Restarts its marks when the window forgets days.
 */
export function updateControl(
  prev: PacingControl | undefined,
  ledger: LedgerView,
  targetPct: number,
  t: PredictiveTuning,
): PacingControl {
  const c = prev ?? { theta: t.theta, humansAt: ledger.humans, dropsAt: ledger.drops };
  const dh = ledger.humans - c.humansAt;
  const dd = ledger.drops - c.dropsAt;
  if (dh < 0 || dd < 0) return { theta: c.theta, humansAt: ledger.humans, dropsAt: ledger.drops };
  if (dh === 0 || dh < t.controlEveryHumans) return c;
  const measured = (100 * dd) / dh;
  const target = Math.max(0.01, targetPct);
  const gap = Math.max(-1, Math.min(1, (target - measured) / target));
  const theta = Math.min(t.thetaMax, Math.max(t.thetaMin, c.theta * Math.exp(t.gain * gap)));
  return { theta, humansAt: ledger.humans, dropsAt: ledger.drops };
}

/** Stages in which a call has not reached an agent yet and may still need one. */
function isPending(stage: CallStage): boolean {
  return stage === 'DIALING' || stage === 'RINGING' || stage === 'AMD' || stage === 'WAITING';
}

export interface Census {
  ready: number;
  /** Agents in talk or wrap-up (they free up at some uncertain time). */
  busy: number;
  working: number;
  incall: number;
  pending: number;
}

export function census(input: PacingInput): Census {
  const nA = input.agentCount ?? input.agents.length;
  const nC = input.callCount ?? input.calls.length;
  let ready = 0;
  let reserved = 0;
  let inCall = 0;
  let dead = 0;
  let wrapUp = 0;
  for (let i = 0; i < nA; i++) {
    switch ((input.agents[i] as AgentView).state) {
      case 'READY':
        ready++;
        break;
      case 'INCALL':
        inCall++;
        break;
      case 'WRAPUP':
        wrapUp++;
        break;
      case 'RESERVED':
        reserved++;
        break;
      case 'DEAD':
        dead++;
        break;
      default:
        break;
    }
  }
  // Which states count as working is the guard's rule (guard.ts), not restated here.
  const w = (state: AgentState, n: number): number => (takesCallsLocal(state, 'working') ? n : 0);
  const working =
    w('READY', ready) +
    w('RESERVED', reserved) +
    w('INCALL', inCall) +
    w('DEAD', dead) +
    w('WRAPUP', wrapUp);
  let pending = 0;
  for (let i = 0; i < nC; i++) if (isPending((input.calls[i] as CallView).stage)) pending++;
  return { ready, busy: inCall + wrapUp + dead, working, incall: inCall + reserved, pending };
}

export function capLines(n: number, c: Census, s: PacingSettings): number {
  const room = Math.floor(s.maxLinesPerAgent * c.working) - c.pending;
  return Math.max(0, Math.min(n, room));
}

export function progressive(c: Census, s: PacingSettings, why: string): PacingDecision {
  const n = capLines(Math.max(0, c.ready - c.pending), c, s);
  return {
    callsToPlace: n,
    appliedMode: 'progressive',
    reason: `${why}${c.ready} agents ready, ${c.pending} calls already covering them: placing ${n}.`,
  };
}

export function ratio(c: Census, s: PacingSettings): PacingDecision {
  // Same accounting as a classic dial level: lines (pending + talking) per ready or talking agent.
  const target = Math.round(s.dialLevel * (c.ready + c.incall));
  const n = capLines(Math.max(0, target - c.pending - c.incall), c, s);
  return {
    callsToPlace: n,
    appliedMode: 'ratio',
    reason: `Dial level ${s.dialLevel.toFixed(2)} on ${c.ready + c.incall} ready or talking agents, ${c.pending + c.incall} lines in use: placing ${n}.`,
  };
}

export const round1 = (x: number): string => (Math.round(x * 10) / 10).toString();
