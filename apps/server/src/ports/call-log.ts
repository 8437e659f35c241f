import type { AmdResult, CallEndReason, CallOutcome } from '@ringside/protocol';

/**
 * call_log, one row per attempt, as the telephony services write it (the originator, the ARI
 * worker, transfers). Adapter: adapters/postgres/call-log.ts (CallLogRepository, BatchedCallLog).
 */

/** The first row of an attempt, written when the call is originated. */
export interface CallLogStart {
  callId: string;
  campaignId: string;
  listId: string;
  leadId: string;
  phone: string;
  attempt: number;
  manual: boolean;
  serverId: string;
  channelId: string;
  agentId: string | null;
  originatedAtMs: number;
}

/**
 * A step in the call's life. Every update only fills columns still NULL (COALESCE), so a
 * replayed or reordered event never moves an instant that was already recorded.
 */
export type CallLogStep =
  | { kind: 'ringing'; atMs: number }
  | { kind: 'answered'; atMs: number }
  | { kind: 'amd'; atMs: number; result: AmdResult; cause: string }
  | { kind: 'bridged'; atMs: number; agentId: string | null }
  | { kind: 'dropped'; atMs: number; waitMs: number }
  | { kind: 'safe_harbor'; atMs: number }
  | {
      /**
       * The AMD error estimate the dialer put in the drop ledger for this call (0..1 each):
       * `abandoned`, expected people among MACHINE verdicts hung up on or dropped; `answers`,
       * expected people among MACHINE verdicts an agent got. Written as given (idempotent).
       */
      kind: 'amd_estimate';
      atMs: number;
      abandoned: number;
      answers: number;
    }
  | {
      kind: 'ended';
      atMs: number;
      outcome: CallOutcome;
      hangupCause: number | null;
      /** Set when Ringside ended the call as a failure (call_log.end_reason). */
      endReason?: CallEndReason | null;
    };

/** What the worker needs from call_log (a fake in unit tests, the repository in production). */
export interface CallLogWriter {
  start(s: CallLogStart): Promise<void>;
  step(callId: string, step: CallLogStep): Promise<void>;
}

/** One transfer of a call from an agent to another (CallLogRepository.handOver). */
export interface CallHandOver {
  callId: string;
  /** The agent handing the call over (used when call_log has no agent yet). */
  fromAgentId: string;
  toAgentId: string;
  /** When the handing agent got the customer, if call_log does not know yet (epoch ms). */
  fromConnectedAtMs: number | null;
  atMs: number;
}

/** Records transfers: call_log names the new agent, call_handoffs keeps the handing one's part. */
export interface CallHandOvers {
  handOver(h: CallHandOver): Promise<void>;
}
