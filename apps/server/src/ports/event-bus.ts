import type { BusEnvelope, DomainEvent } from '@ringside/protocol';

export interface Subscription {
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /**
   * 'latest': only events published after subscribe() resolves; 'start': everything still
   * retained in the streams (older events may have been trimmed), then live events.
   */
  from: 'latest' | 'start';
  /**
   * Called once per event, in stream order. Delivery of the next event of the same stream waits
   * for the returned promise, so a slow consumer falls behind rather than being overtaken.
   */
  onEvent(envelope: BusEnvelope): void | Promise<void>;
  /**
   * A sequence number jumped (events trimmed or missed) or went backwards (the stream was reset,
   * e.g. Redis restarted empty): the consumer should re-snapshot its state from the state store.
   * Delivery continues with `gotSeq` right after the call.
   */
  onGap?(stream: string, expectedSeq: number, gotSeq: number): void | Promise<void>;
  /**
   * onEvent or onGap threw. Delivery continues with the next event (the failed one is not
   * retried: consumers re-snapshot instead). Without it the Redis adapter logs the error and the
   * memory fake rethrows it asynchronously, so a test sees it.
   */
  onError?(err: unknown, envelope: BusEnvelope | null): void;
}

/**
 * Domain events across processes, on Redis Streams (docs/realtime.md: why Streams rather than
 * pub/sub). Consumers are idempotent: the (stream, seq) pair identifies an event.
 */
export interface EventBus {
  /** Publishes an event that has no state of its own in the state store. */
  publish(event: DomainEvent): Promise<BusEnvelope>;
  subscribe(opts: SubscribeOptions): Promise<Subscription>;
}

/**
 * The logical streams. Each is totally ordered and has its own `seq` (1, 2, 3, ...). Events of
 * one agent, or of one call, are therefore always seen in order; there is no order across streams.
 */
export const STREAMS = ['agents', 'calls', 'system'] as const;
export type StreamName = (typeof STREAMS)[number];

/** Which stream an event travels on (the state store and every bus adapter use this). */
export function streamOf(event: DomainEvent): StreamName {
  if (event.type.startsWith('agent.')) return 'agents';
  if (event.type.startsWith('call.')) return 'calls';
  return 'system';
}
