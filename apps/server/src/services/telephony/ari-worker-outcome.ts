import type { CallOutcome } from '@ringside/protocol';
import type { LiveCall } from '../../ports/state-store.js';

/** What the worker learned about a call's end besides its live state. */
export interface EndFacts {
  /** Last `dialstatus` of a Dial event for the call's channel (BUSY, CONGESTION, RINGING, ...). */
  dialStatus: string | null;
  /** Cause of the originated half (`<callId>`); 0 when Asterisk put the reason elsewhere. */
  ownCause: number | null;
  /** Cause of the other half of the Local channel (`<callId>-2`): 17 busy, 34 congestion. */
  peerCause: number | null;
}

/** Q.850 causes that say what happened to an unanswered call. */
const BUSY_CAUSES = new Set([17, 21]);
const CONGESTION_CAUSES = new Set([34, 38, 41, 42, 44, 47]);
const INVALID_CAUSES = new Set([1, 2, 3, 22, 27, 28]);
const NO_ANSWER_CAUSES = new Set([18, 19]);

/**
 * The cause to report: the originated half's, unless it is 0 ("Unknown"), which is what Asterisk
 * sets on it for busy and congestion; then the other half's (traces/README.md).
 */
export function reportedCause(f: EndFacts): number | null {
  if (f.ownCause !== null && f.ownCause !== 0) return f.ownCause;
  if (f.peerCause !== null && f.peerCause !== 0) return f.peerCause;
  return f.ownCause ?? f.peerCause;
}

/**
 * How an attempt ended, from its live state and end facts. Pure.
 * Answered: bridged to an agent is HUMAN; a safe-harbor drop, or a live answer (HUMAN/NOTSURE)
 * that never reached an agent, is DROPPED (it counts against the drop rate, conservatively);
 * MACHINE is MACHINE; an answer that ended before any verdict (hang-up during AMD) is NO_ANSWER.
 * Not answered: Dial's dialstatus first, then the Q.850 cause; a normal clearing (16) before an
 * answer means we hung up: CANCELED.
 */
export function callOutcome(call: LiveCall, f: EndFacts): CallOutcome {
  if (call.answeredAtMs !== null || call.amdResult !== null) {
    if (call.bridgedAtMs !== null) return 'HUMAN';
    if (call.droppedAtMs !== null) return 'DROPPED';
    if (call.amdResult === 'MACHINE') return 'MACHINE';
    if (call.amdResult !== null) return 'DROPPED';
    return 'NO_ANSWER';
  }
  switch (f.dialStatus) {
    case 'BUSY':
      return 'BUSY';
    case 'CONGESTION':
      return 'CONGESTION';
    case 'CHANUNAVAIL':
    case 'INVALIDARGS':
      return 'INVALID';
    case 'NOANSWER':
      return 'NO_ANSWER';
    case 'CANCEL':
      return 'CANCELED';
    default:
      break;
  }
  const cause = reportedCause(f);
  if (cause === null) return 'NO_ANSWER';
  if (BUSY_CAUSES.has(cause)) return 'BUSY';
  if (CONGESTION_CAUSES.has(cause)) return 'CONGESTION';
  if (INVALID_CAUSES.has(cause)) return 'INVALID';
  if (NO_ANSWER_CAUSES.has(cause)) return 'NO_ANSWER';
  if (cause === 16) return 'CANCELED';
  return 'NO_ANSWER';
}

/** AMDSTATUS to the domain's verdict; anything but HUMAN and MACHINE is NOTSURE. */
export function amdResultOf(status: string | undefined): 'HUMAN' | 'MACHINE' | 'NOTSURE' {
  if (status === 'HUMAN') return 'HUMAN';
  if (status === 'MACHINE') return 'MACHINE';
  return 'NOTSURE';
}
