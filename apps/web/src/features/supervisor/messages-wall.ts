import type { TalkRecipient } from '@ringside/protocol';
import type { RealtimeClient } from '../../core/realtime.js';
import { emptyTalk, type TalkState } from '../agent/messages-model.js';
import { feedFor, type TalkFeed } from '../agent/messages-store.js';

/**
 * The wall's talk, shared by its Messages panel and the rows (hand markers, "Message" buttons):
 * the dashboard's realtime client is attached once (attachTalk), the rows choose a thread, the
 * panel shows it. Outside React so that the dashboard needs one line to wire it.
 */
export interface WallTalk {
  talk: TalkState;
  /** Who the composer writes to; null: nobody chosen yet. */
  target: TalkRecipient | null;
  /** Bumped whenever a row asks for the panel (it opens and focuses the message box). */
  openRequest: number;
}

let feed: TalkFeed | null = null;
let stopFeed: (() => void) | null = null;
let view: WallTalk = { talk: emptyTalk, target: null, openRequest: 0 };
const listeners = new Set<() => void>();

function emit(next: Partial<WallTalk>): void {
  view = { ...view, ...next };
  for (const l of listeners) l();
}

/** Wires the dashboard's realtime client (call before client.start()). */
export function attachTalk(client: RealtimeClient): void {
  stopFeed?.();
  const f = feedFor(client);
  feed = f;
  stopFeed = f.subscribe(() => emit({ talk: f.current }));
  emit({ talk: f.current });
}

export function subscribeWall(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export const wallSnapshot = (): WallTalk => view;

/** The feed of the attached client (errors, the last event), or null before attachTalk. */
export const wallFeed = (): TalkFeed | null => feed;

/** A row or the panel chose who to write to; `open` asks the panel to open and focus. */
export function chooseTarget(target: TalkRecipient, open = true): void {
  emit({ target, openRequest: open ? view.openRequest + 1 : view.openRequest });
}

/** The message list of a target: an agent's thread, or what went to that team or campaign. */
export function messagesFor(talk: TalkState, target: TalkRecipient | null) {
  if (!target) return talk.messages;
  return talk.messages.filter((m) => {
    switch (target.kind) {
      case 'agent':
        return m.agentId === target.agentId;
      case 'team':
        return m.to.kind === 'team' && m.to.teamId === target.teamId;
      case 'campaign':
        return m.to.kind === 'campaign' && m.to.campaignId === target.campaignId;
      case 'supervisors':
        return m.to.kind === 'supervisors';
    }
  });
}

/** The select's value of a target, and back. */
export function targetKey(t: TalkRecipient | null): string {
  if (!t) return '';
  switch (t.kind) {
    case 'agent':
      return `agent:${t.agentId}`;
    case 'team':
      return `team:${t.teamId}`;
    case 'campaign':
      return `campaign:${t.campaignId}`;
    case 'supervisors':
      return 'supervisors';
  }
}

export function targetOfKey(key: string): TalkRecipient | null {
  const [kind, id = ''] = key.split(':', 2);
  if (!id) return null;
  if (kind === 'agent') return { kind, agentId: id as never };
  if (kind === 'team') return { kind, teamId: id };
  if (kind === 'campaign') return { kind, campaignId: id as never };
  return null;
}
