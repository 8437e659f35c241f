import type { CallEndReason } from '@ringside/protocol';

/**
 * Bridge integrity (pure): telling a channel's leave from an agent's bridge that Ringside caused
 * (a hang-up, a move to hold or to another agent, a bridge torn down) from one Asterisk did on
 * its own (a bridge that could not make the newcomer's media compatible kicks it out; anything
 * or anyone removing it over ARI), and what to do about the latter. docs/telephony.md, "Bridge
 * integrity", has the rule and the traces it comes from.
 *
 * The order Asterisk 22 sends (recorded traces, ../shared/ari/traces):
 * - hang-up (ours: DELETE /channels, or the far end's): ChannelHangupRequest of the channel comes
 *   BEFORE its ChannelLeftBridge, then StasisEnd and ChannelDestroyed within a few ms;
 * - move (addChannel to another bridge, removeChannel then addChannel): ChannelLeftBridge, then
 *   ChannelEnteredBridge of the same channel into the new bridge (same ms for addChannel);
 * - bridge destroyed: ChannelLeftBridge of each member, then BridgeDestroyed;
 * - ejection (no translation path between the members' codecs, "No path to translate"):
 *   ChannelEnteredBridge then ChannelLeftBridge in the same ms, and nothing else: the channel is
 *   back in the Stasis app, alive, in no bridge. A removeChannel nobody in Ringside asked for
 *   looks the same, except for the time it stayed.
 */

/** Why a leave needs no repair. */
export type LeaveExplanation =
  /** The channel was hung up (its ChannelHangupRequest, StasisEnd or ChannelDestroyed came). */
  | 'hangup'
  /** It entered a bridge again (a move: hold, transfer, the dialer's hand-off). */
  | 'moved'
  /** The bridge it left was destroyed (logout, a leg replaced, a hold ended). */
  | 'bridge_destroyed';

/** One channel leaving a watched bridge, as `BridgeLeaveTracker` saw it. */
export interface LeaveFacts {
  channelId: string;
  bridgeId: string;
  /** Asterisk's timestamp of the ChannelLeftBridge, epoch ms. */
  leftAtMs: number;
  /** What explained the leave within the grace, or null when nothing did. */
  explanation: LeaveExplanation | null;
  /** How long the channel had been in the bridge (Asterisk's timestamps), ms; null: entry unseen. */
  stayedMs: number | null;
  /**
   * Ms since Ringside last put this channel back into this bridge (from the entry that followed
   * the re-add to this leave); null when it never did.
   */
  sinceRejoinMs: number | null;
}

export interface BridgeIntegrityPolicy {
  /**
   * A channel that leaves this soon after entering was refused by the bridge (its media cannot be
   * made compatible with the members'): putting it back would be refused the same way, ms.
   */
  refusedWithinMs: number;
  /** A channel removed again this soon after Ringside put it back cannot be kept there, ms. */
  repeatWithinMs: number;
}

export const DEFAULT_BRIDGE_POLICY: BridgeIntegrityPolicy = {
  refusedWithinMs: 100,
  repeatWithinMs: 10_000,
};

/** What the worker does about a leave. */
export type LeaveVerdict =
  | { action: 'none'; why: LeaveExplanation }
  /** Add the channel back to the bridge it left (once). */
  | { action: 'rejoin' }
  /** The call cannot go on in that bridge: end it as a failure with this reason. */
  | { action: 'fail'; reason: CallEndReason };

/**
 * The decision for one leave of a customer or agent leg from an agent's bridge. A leave with an
 * explanation is Ringside's own doing (or a hang-up) and needs nothing. Otherwise: removed again
 * within `repeatWithinMs` of being put back fails with BRIDGE_EJECTED (the put-back did not
 * hold, however fast it went); refused at once on its own entry (stayed at most
 * `refusedWithinMs`) fails with BRIDGE_REFUSED; any other removal is repaired by putting the
 * channel back once.
 */
export function judgeLeave(
  f: Pick<LeaveFacts, 'explanation' | 'stayedMs' | 'sinceRejoinMs'>,
  policy: BridgeIntegrityPolicy = DEFAULT_BRIDGE_POLICY,
): LeaveVerdict {
  if (f.explanation !== null) return { action: 'none', why: f.explanation };
  if (f.sinceRejoinMs !== null && f.sinceRejoinMs <= policy.repeatWithinMs) {
    return { action: 'fail', reason: 'BRIDGE_EJECTED' };
  }
  if (f.stayedMs !== null && f.stayedMs <= policy.refusedWithinMs) {
    return { action: 'fail', reason: 'BRIDGE_REFUSED' };
  }
  return { action: 'rejoin' };
}

/** Bridge ids of agents' own mixing bridges start with this (`agent-<agentId>`). */
export const AGENT_BRIDGE_PREFIX = 'agent-';

/** The agent whose own bridge `bridgeId` is, or null for any other bridge. */
export function agentOfBridgeId(bridgeId: string): string | null {
  if (!bridgeId.startsWith(AGENT_BRIDGE_PREFIX)) return null;
  const id = bridgeId.slice(AGENT_BRIDGE_PREFIX.length);
  return id.length > 0 ? id : null;
}

interface Entry {
  bridgeId: string;
  atMs: number;
}

interface Pending {
  bridgeId: string;
  leftAtMs: number;
  stayedMs: number | null;
  sinceRejoinMs: number | null;
  explanation: LeaveExplanation | null;
}

/**
 * Follows channels in and out of watched bridges from the ARI events, in the order they arrive
 * (pure: instants are the events' own timestamps). `left()` says whether a leave is pending,
 * i.e. not already explained by a hang-up under way; the caller waits a grace for events that
 * explain it, then `take()`s the facts for `judgeLeave`.
 */
export class BridgeLeaveTracker {
  private readonly entries = new Map<string, Entry>();
  private readonly hangingUp = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  /** Channel -> bridge Ringside is putting it back into. */
  private readonly rejoining = new Map<string, string>();
  /** Channel -> when it re-entered the bridge Ringside put it back into. */
  private readonly rejoined = new Map<string, Entry>();

  constructor(private readonly watched: (bridgeId: string) => boolean) {}

  entered(channelId: string, bridgeId: string, atMs: number): void {
    if (this.watched(bridgeId)) this.entries.set(channelId, { bridgeId, atMs });
    else this.entries.delete(channelId);
    const p = this.pending.get(channelId);
    if (p && p.explanation === null) p.explanation = 'moved';
    if (this.rejoining.get(channelId) === bridgeId) {
      this.rejoining.delete(channelId);
      this.rejoined.set(channelId, { bridgeId, atMs });
    }
  }

  /** True when the leave is pending: watched bridge, and no hang-up of the channel under way. */
  left(channelId: string, bridgeId: string, atMs: number): boolean {
    const entry = this.entries.get(channelId);
    this.entries.delete(channelId);
    if (!this.watched(bridgeId) || this.hangingUp.has(channelId)) return false;
    const stayedMs = entry?.bridgeId === bridgeId ? Math.max(0, atMs - entry.atMs) : null;
    const back = this.rejoined.get(channelId);
    const sinceRejoinMs = back?.bridgeId === bridgeId ? Math.max(0, atMs - back.atMs) : null;
    this.pending.set(channelId, {
      bridgeId,
      leftAtMs: atMs,
      stayedMs,
      sinceRejoinMs,
      explanation: null,
    });
    return true;
  }

  hangupRequested(channelId: string): void {
    this.hangingUp.add(channelId);
    this.explain(channelId, 'hangup');
  }

  /** StasisEnd: the channel left the app (hung up, or sent on into the dialplan). */
  leftApp(channelId: string): void {
    this.explain(channelId, 'hangup');
  }

  destroyed(channelId: string): void {
    this.explain(channelId, 'hangup');
    this.entries.delete(channelId);
    this.hangingUp.delete(channelId);
    this.rejoining.delete(channelId);
    this.rejoined.delete(channelId);
  }

  bridgeDestroyed(bridgeId: string): void {
    for (const p of this.pending.values()) {
      if (p.bridgeId === bridgeId && p.explanation === null) p.explanation = 'bridge_destroyed';
    }
    for (const [ch, e] of this.entries) if (e.bridgeId === bridgeId) this.entries.delete(ch);
  }

  /** Ringside is adding `channelId` back to `bridgeId`: its next entry there is the re-add's. */
  expectRejoin(channelId: string, bridgeId: string): void {
    this.rejoining.set(channelId, bridgeId);
  }

  /** The pending leave's facts, removed; null when none is pending for the channel. */
  take(channelId: string): LeaveFacts | null {
    const p = this.pending.get(channelId);
    if (!p) return null;
    this.pending.delete(channelId);
    return {
      channelId,
      bridgeId: p.bridgeId,
      leftAtMs: p.leftAtMs,
      explanation: p.explanation,
      stayedMs: p.stayedMs,
      sinceRejoinMs: p.sinceRejoinMs,
    };
  }

  /**
   * Keeps only channels that still exist (a resync's channel list): the rest were destroyed
   * while events may have been lost, so a leave of theirs still pending was a hang-up.
   */
  retainOnly(alive: ReadonlySet<string>): void {
    for (const id of [...this.pending.keys()]) if (!alive.has(id)) this.explain(id, 'hangup');
    for (const m of [this.entries, this.rejoining, this.rejoined]) {
      for (const id of [...m.keys()]) if (!alive.has(id)) m.delete(id);
    }
    for (const id of [...this.hangingUp]) if (!alive.has(id)) this.hangingUp.delete(id);
  }

  /** How many channels it holds anything for (tests: nothing is kept after a call). */
  size(): number {
    const ids = new Set([
      ...this.entries.keys(),
      ...this.hangingUp,
      ...this.pending.keys(),
      ...this.rejoining.keys(),
      ...this.rejoined.keys(),
    ]);
    return ids.size;
  }

  private explain(channelId: string, why: LeaveExplanation): void {
    const p = this.pending.get(channelId);
    if (p && p.explanation === null) p.explanation = why;
  }
}
