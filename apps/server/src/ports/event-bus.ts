import type { BusEnvelope, DomainEvent } from '@ringside/protocol';

export interface Subscription {
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** 'latest': only events after now; 'start': everything still in the streams. */
  from: 'latest' | 'start';
  onEvent(envelope: BusEnvelope): void | Promise<void>;
  /**
   * A sequence number jumped (events trimmed or missed): the consumer should re-snapshot its
   * state from the state store. Delivery continues after the call.
   */
  onGap?(stream: string, expectedSeq: number, gotSeq: number): void | Promise<void>;
}

/**
 * Domain events across processes, on Redis Streams (see README: why Streams rather than pub/sub).
 * Consumers are idempotent: the (stream, seq) pair identifies an event.
 */
export interface EventBus {
  /** Publishes an event that has no state of its own in the state store. */
  publish(event: DomainEvent): Promise<BusEnvelope>;
  subscribe(opts: SubscribeOptions): Promise<Subscription>;
}
