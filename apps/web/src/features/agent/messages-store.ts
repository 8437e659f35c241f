import type { WsErrorData } from '@ringside/protocol';
import type { RealtimeClient } from '../../core/realtime.js';
import { applyTalkEvent, emptyTalk, talkFromSnapshot, type TalkState } from './messages-model.js';

/**
 * The talk state of one realtime client, outside React: it taps the client's snapshots, events
 * and error frames, so a panel that mounts late (or remounts) loses nothing. Views subscribe with
 * useSyncExternalStore. One store per client (storeFor).
 */
export class TalkFeed {
  private state: TalkState = emptyTalk;
  private readonly listeners = new Set<() => void>();
  private readonly errorListeners = new Set<(e: WsErrorData) => void>();
  /** The newest talk event, for the live region (null until one arrives). */
  lastEvent: import('@ringside/protocol').DomainEvent | null = null;

  constructor(readonly client: RealtimeClient) {
    client.tap({
      onSnapshot: (snap) => this.set(talkFromSnapshot(this.state, snap)),
      onEvent: (data) => {
        const next = applyTalkEvent(this.state, data.event);
        if (next === this.state) return;
        this.lastEvent = data.event;
        this.set(next);
      },
      onServerError: (e) => {
        for (const l of this.errorListeners) l(e);
      },
    });
  }

  get current(): TalkState {
    return this.state;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  readonly snapshot = (): TalkState => this.state;

  /** Error frames from the server (a talk message refused answers its seq). */
  onError(listener: (e: WsErrorData) => void): () => void {
    this.errorListeners.add(listener);
    return () => void this.errorListeners.delete(listener);
  }

  private set(next: TalkState): void {
    this.state = next;
    for (const l of this.listeners) l();
  }
}

const feeds = new WeakMap<RealtimeClient, TalkFeed>();

/**
 * The feed of a client, made on first use. Made after the client went live, it asks for a fresh
 * snapshot so the recent thread is not missed.
 */
export function feedFor(client: RealtimeClient): TalkFeed {
  let feed = feeds.get(client);
  if (!feed) {
    feed = new TalkFeed(client);
    feeds.set(client, feed);
    if (client.state === 'live') client.resubscribe();
  }
  return feed;
}
