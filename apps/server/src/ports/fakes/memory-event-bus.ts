import type { BusEnvelope, DomainEvent } from '@ringside/protocol';
import { systemClock, type Clock } from '../clock.js';
import {
  streamOf,
  type EventBus,
  type StreamName,
  type SubscribeOptions,
  type Subscription,
} from '../event-bus.js';

export interface MemoryEventBusOptions {
  /** Stamps `tsMs` on each envelope. */
  clock?: Clock;
  /** Events kept per stream (like Redis MAXLEN); older ones are trimmed. Default 10,000. */
  maxLen?: number;
}

interface Stream {
  /** Retained envelopes, oldest first. */
  entries: BusEnvelope[];
  seq: number;
}

/**
 * In-memory EventBus with the same semantics as the Redis Streams adapter: per-stream seq,
 * trimming, asynchronous in-order delivery per stream, gap detection. For unit tests of
 * services and roles; one process only.
 */
export class MemoryEventBus implements EventBus {
  private readonly streams = new Map<string, Stream>();
  private readonly subscribers = new Set<MemorySubscriber>();
  private readonly clock: Clock;
  private readonly maxLen: number;

  constructor(opts: MemoryEventBusOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.maxLen = opts.maxLen ?? 10_000;
  }

  async publish(event: DomainEvent): Promise<BusEnvelope> {
    return this.append(event);
  }

  /**
   * Appends synchronously (the memory state store calls this inside its own "atomic" step, so
   * state and event change together, as the Redis Lua scripts do).
   */
  append(event: DomainEvent): BusEnvelope {
    const name = streamOf(event);
    const stream = this.stream(name);
    stream.seq += 1;
    const envelope: BusEnvelope = {
      v: 1,
      stream: name,
      seq: stream.seq,
      tsMs: this.clock.nowMs(),
      event: structuredClone(event),
    };
    stream.entries.push(envelope);
    if (stream.entries.length > this.maxLen) {
      stream.entries.splice(0, stream.entries.length - this.maxLen);
    }
    for (const s of this.subscribers) s.wake(name);
    return structuredClone(envelope);
  }

  async subscribe(opts: SubscribeOptions): Promise<Subscription> {
    const sub = new MemorySubscriber(this, opts);
    this.subscribers.add(sub);
    for (const name of this.streams.keys()) sub.wake(name);
    return {
      close: async () => {
        this.subscribers.delete(sub);
        await sub.close();
      },
    };
  }

  /** Retained envelopes of one stream, oldest first (test inspection). */
  envelopes(stream: StreamName): BusEnvelope[] {
    return structuredClone(this.streams.get(stream)?.entries ?? []);
  }

  /** Every retained event of every stream, in stream then seq order (test inspection). */
  events(): DomainEvent[] {
    return [...this.streams.values()].flatMap((s) =>
      s.entries.map((e) => structuredClone(e.event)),
    );
  }

  /** Forgets every stream, as a Redis restart without persistence would (tests of re-snapshot). */
  reset(): void {
    this.streams.clear();
  }

  /** @internal */
  lastSeq(name: string): number {
    const s = this.streams.get(name);
    const last = s?.entries[s.entries.length - 1];
    return last?.seq ?? 0;
  }

  /** @internal The first retained envelope with seq > afterSeq, or the first one if the stream restarted. */
  next(name: string, afterSeq: number | null): BusEnvelope | undefined {
    const s = this.streams.get(name);
    if (!s || s.entries.length === 0) return undefined;
    if (afterSeq === null) return s.entries[0];
    const last = s.entries[s.entries.length - 1];
    if (last && last.seq < afterSeq) return s.entries[0]; // stream was reset: seq went backwards
    return s.entries.find((e) => e.seq > afterSeq);
  }

  private stream(name: string): Stream {
    let s = this.streams.get(name);
    if (!s) {
      s = { entries: [], seq: 0 };
      this.streams.set(name, s);
    }
    return s;
  }
}

class MemorySubscriber {
  /** Last seq delivered per stream; null: deliver from the first retained event, no gap check. */
  private readonly cursor = new Map<string, number | null>();
  private readonly pumping = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly bus: MemoryEventBus,
    private readonly opts: SubscribeOptions,
  ) {
    // 'latest' pins every known stream to its current end; streams created later start at 0.
    if (opts.from === 'latest') {
      for (const name of ['agents', 'calls', 'system']) this.cursor.set(name, bus.lastSeq(name));
    }
  }

  wake(name: string): void {
    if (this.closed || this.pumping.has(name)) return;
    this.pumping.add(name);
    const p = this.pump(name).finally(() => {
      this.pumping.delete(name);
      this.running.delete(p);
      // An event appended between the pump's last look and now would otherwise wait for the next.
      if (this.bus.next(name, this.after(name)) !== undefined) this.wake(name);
    });
    this.running.add(p);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running]);
  }

  private after(name: string): number | null {
    return this.cursor.get(name) ?? null;
  }

  private async pump(name: string): Promise<void> {
    // Yield first: delivery is asynchronous, never inside publish().
    await Promise.resolve();
    while (!this.closed) {
      const after = this.after(name);
      const env = this.bus.next(name, after);
      if (!env) return;
      try {
        if (after !== null && env.seq !== after + 1) {
          await this.opts.onGap?.(name, after + 1, env.seq);
        }
      } catch (err) {
        this.fail(err, null);
      }
      this.cursor.set(name, env.seq);
      if (this.closed) return;
      try {
        await this.opts.onEvent(structuredClone(env));
      } catch (err) {
        this.fail(err, env);
      }
    }
  }

  private fail(err: unknown, env: BusEnvelope | null): void {
    if (this.opts.onError) {
      this.opts.onError(err, env);
      return;
    }
    queueMicrotask(() => {
      throw err;
    });
  }
}
