import type { AgentId, CallId } from '@ringside/protocol';
import type { AgentCommand } from '../agents/agent-session.js';
import type { OriginateCall, OriginateResult } from '../telephony/ari-worker-originator.js';

/**
 * What the dialer needs from the world besides the state store, bus and hopper ports. Each has
 * a production implementation (ARI client, CallOriginator, AgentSessionService) and a fake in
 * test/dialer.
 */

/** The part of the ARI client the dialer drives calls with, on the call's own Asterisk server. */
export interface DialerAri {
  createBridge(bridgeId: string, type?: 'mixing' | 'holding', name?: string): Promise<unknown>;
  addChannel(bridgeId: string, channel: string | string[]): Promise<void>;
  removeChannel(bridgeId: string, channel: string | string[]): Promise<void>;
  playOnChannel(channelId: string, media: string | string[], playbackId?: string): Promise<unknown>;
  getPlayback(playbackId: string): Promise<unknown>;
  hangup(channelId: string): Promise<void>;
}

/** Places calls: CallOriginator (records live_call and call_log, then POST /channels). */
export interface Originator {
  originate(req: OriginateCall): Promise<OriginateResult>;
}

/** Agent state changes the dialer makes (connect, unreserve, pause): AgentSessionService. */
export interface AgentCommands {
  apply(agentId: AgentId, command: AgentCommand, reason: string): Promise<unknown>;
}

/**
 * Timers in the dialer's clock (virtual milliseconds under a simulation's time scale). Returns a
 * function that cancels the timer.
 */
export interface Timers {
  after(ms: number, fn: () => void): () => void;
}

/** Real timers, with virtual time running `speed` times faster than the wall clock. */
export function scaledTimers(speed = 1): Timers {
  return {
    after(ms, fn) {
      const t = setTimeout(fn, Math.max(0, ms / speed));
      return () => clearTimeout(t);
    },
  };
}

/** One hand-off measured from the AMD decision to the customer's entry in the agent's bridge. */
export interface HandoffSample {
  callId: CallId;
  agentId: AgentId;
  /** Parked in the holding bridge first (no agent was ready at the decision). */
  parked: boolean;
  /** Wall-clock ms from the dialer seeing call.amd to ARI confirming the bridge add. */
  realMs: number;
  /** performance.now() when the dialer saw call.amd, and when ARI confirmed the add. */
  seenAtPerf: number;
  doneAtPerf: number;
}
