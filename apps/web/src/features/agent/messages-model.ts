import type { DomainEvent, SnapshotData, TalkMessage, TalkRecipient } from '@ringside/protocol';

/**
 * Agent and supervisor talk as the panels keep it, pure: the snapshot's recent messages and
 * raised hands, then the pushed `talk.*` events. Used by the agent's Messages panel and the
 * supervisor's (features/supervisor/MessagesWall.tsx). Texts are plain strings the views render
 * as text, never as HTML.
 */
export interface TalkState {
  /** Oldest first, at most MAX_KEPT, no id twice. */
  messages: readonly TalkMessage[];
  /** agentId -> raisedAtMs. */
  hands: ReadonlyMap<string, number>;
}

export const MAX_KEPT = 500;

export const emptyTalk: TalkState = { messages: [], hands: new Map() };

/** Numeric order of two database ids written as digits. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The snapshot replaces what was known (an older server sends no talk: keep it). */
export function talkFromSnapshot(s: TalkState, snap: SnapshotData): TalkState {
  if (!snap.talk) return s;
  return {
    messages: [...snap.talk.messages].sort((x, y) => compareIds(x.id, y.id)).slice(-MAX_KEPT),
    hands: new Map(snap.talk.hands.map((h) => [h.agentId, h.raisedAtMs])),
  };
}

/** Applies one pushed event; anything but talk leaves the state as it is. */
export function applyTalkEvent(s: TalkState, e: DomainEvent): TalkState {
  switch (e.type) {
    case 'talk.message': {
      if (s.messages.some((m) => m.id === e.message.id)) return s;
      const messages = [...s.messages, e.message].sort((x, y) => compareIds(x.id, y.id));
      return { ...s, messages: messages.slice(-MAX_KEPT) };
    }
    case 'talk.read': {
      let changed = false;
      const messages = s.messages.map((m) => {
        if (m.readAtMs !== null || compareIds(m.id, e.upToId) > 0) return m;
        if (!readBy(m, e.agentId, e.by)) return m;
        changed = true;
        return { ...m, readAtMs: e.atMs };
      });
      return changed ? { ...s, messages } : s;
    }
    case 'talk.hand': {
      const hands = new Map(s.hands);
      if (e.raised) hands.set(e.agentId, e.atMs);
      else hands.delete(e.agentId);
      return { ...s, hands };
    }
    default:
      return s;
  }
}

/** Whether a read mark of `agentId`'s thread, made by `by`, covers message `m`. */
function readBy(m: TalkMessage, agentId: string, by: 'agent' | 'supervisor'): boolean {
  if (by === 'supervisor') return m.to.kind === 'supervisors' && m.fromUserId === agentId;
  // The agent read what it got: to it alone, or a broadcast (this panel only holds its own).
  return m.fromUserId !== agentId && (m.agentId === agentId || m.agentId === null);
}

/** An agent's unread messages: written by someone else, not yet read. */
export function unreadForAgent(s: TalkState, me: string): TalkMessage[] {
  return s.messages.filter((m) => m.fromUserId !== me && m.readAtMs === null);
}

/** The one-to-one thread of an agent (both directions), oldest first. */
export function threadOf(s: TalkState, agentId: string): TalkMessage[] {
  return s.messages.filter((m) => m.agentId === agentId);
}

/** Supervisors: unread messages from agents, per agent. */
export function unreadFromAgents(s: TalkState): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of s.messages) {
    if (m.to.kind === 'supervisors' && m.readAtMs === null) {
      out.set(m.fromUserId, (out.get(m.fromUserId) ?? 0) + 1);
    }
  }
  return out;
}

/** The newest id of a list, or null. */
export function lastId(messages: readonly TalkMessage[]): string | null {
  return messages.length ? (messages[messages.length - 1]?.id ?? null) : null;
}

/** Who a message went to, in words ("you", "team 3", "campaign Spring", "the supervisors"). */
export function describeRecipient(
  to: TalkRecipient,
  names: { agent?(id: string): string; campaign?(id: string): string } = {},
): string {
  switch (to.kind) {
    case 'agent':
      return names.agent?.(to.agentId) ?? `agent ${to.agentId}`;
    case 'team':
      return `team ${to.teamId}`;
    case 'campaign':
      return `campaign ${names.campaign?.(to.campaignId) ?? to.campaignId}`;
    case 'supervisors':
      return 'the supervisors';
  }
}

/** "14:05" in the viewer's zone. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** What the polite live region says for a new message (or null: nothing to announce). */
export function announce(m: TalkMessage, me: string): string | null {
  if (m.fromUserId === me) return null;
  return `New message from ${m.fromName || 'a supervisor'}: ${m.text}`;
}
