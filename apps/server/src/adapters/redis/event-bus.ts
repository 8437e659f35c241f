import type { Redis } from 'ioredis';
import type { BusEnvelope, DomainEvent } from '@ringside/protocol';
import { UnavailableError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import {
  STREAMS,
  streamOf,
  type EventBus,
  type StreamName,
  type SubscribeOptions,
  type Subscription,
} from '../../ports/event-bus.js';
import { envelopeFromFields } from './codec.js';
import { duplicateConnection } from './connect.js';
import { resolveOptions, type RedisAdapterOptions, type ResolvedOptions } from './options.js';
import { loadScripts, type Scripts } from './scripts.js';

export interface RedisEventBusOptions extends RedisAdapterOptions {
  /** How long one XREAD blocks waiting for events (ms); bounds how fast close() returns. */
  blockMs?: number;
  /** Events fetched per XREAD. */
  batch?: number;
  logger?: Logger;
}

type XReadReply = Array<[string, Array<[string, string[]]>]> | null;

/**
 * EventBus on Redis Streams. publish() XADDs with the stream's next seq (one Lua script);
 * subscribe() runs one reader per stream, each on its own connection (XREAD BLOCK holds the
 * connection, and on Redis Cluster each stream lives in its own slot, so one XREAD may not name
 * two of them: a CROSSSLOT error). A reader remembers the
 * last entry id it delivered, so after a dropped connection it resumes exactly there; a seq that
 * does not follow the last one (trimmed away, or the stream was reset) is reported to onGap.
 */
export class RedisEventBus implements EventBus {
  private readonly o: ResolvedOptions;
  private readonly scripts: Scripts;
  private readonly blockMs: number;
  private readonly batch: number;

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisEventBusOptions,
  ) {
    this.o = resolveOptions(opts);
    this.scripts = loadScripts(redis);
    this.blockMs = opts.blockMs ?? 5_000;
    this.batch = opts.batch ?? 100;
  }

  async publish(event: DomainEvent): Promise<BusEnvelope> {
    const stream = streamOf(event);
    const tsMs = this.o.clock.nowMs();
    const seq = Number(
      await this.scripts.publish(
        [this.o.keys.stream(stream), this.o.keys.streamSeq(stream)],
        [JSON.stringify(event), tsMs, this.o.maxLen, this.o.trim],
      ),
    );
    return { v: 1, stream, seq, tsMs, event };
  }

  async subscribe(opts: SubscribeOptions): Promise<Subscription> {
    const readers: StreamReader[] = [];
    try {
      for (const name of STREAMS) {
        const r = new StreamReader(this.redis, name, this.o.keys.stream(name), opts, {
          blockMs: this.blockMs,
          batch: this.batch,
          logger: this.opts.logger,
          connectionName: `${this.o.keys.prefix}:bus:${name}`,
        });
        readers.push(r);
        await r.init();
      }
    } catch (err) {
      await Promise.all(readers.map((r) => r.close()));
      throw new UnavailableError('event bus: cannot subscribe', { cause: err });
    }
    for (const r of readers) r.start();
    return {
      close: async () => {
        await Promise.all(readers.map((r) => r.close()));
      },
    };
  }
}

interface ReaderSettings {
  blockMs: number;
  batch: number;
  logger: Logger | undefined;
  connectionName: string;
}

class StreamReader {
  private conn: Redis;
  /** Last entry id handled; XREAD returns entries after it. */
  private lastId = '0-0';
  /** Last seq delivered; null: accept the first one without a gap check. */
  private lastSeq: number | null = null;
  private closed = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    redis: Redis,
    private readonly name: StreamName,
    private readonly key: string,
    private readonly opts: SubscribeOptions,
    private readonly s: ReaderSettings,
  ) {
    // Its own connection: a blocking XREAD holds it. No offline queue limit: the loop retries.
    this.conn = duplicateConnection(redis, {
      connectionName: s.connectionName,
      maxRetriesPerRequest: null,
    });
    this.conn.on('error', () => undefined); // reconnects by itself; the loop logs failures
  }

  /** Pins the start position before subscribe() returns, so nothing published after is missed. */
  async init(): Promise<void> {
    if (this.opts.from === 'start') return;
    const last = (await this.conn.xrevrange(this.key, '+', '-', 'COUNT', 1))[0];
    if (last) {
      this.lastId = last[0];
      this.lastSeq = seqOf(last[1]);
    } else {
      this.lastSeq = 0;
    }
  }

  start(): void {
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.conn.disconnect(); // aborts a pending XREAD BLOCK
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoffMs = 50;
    while (!this.closed) {
      let reply: XReadReply;
      try {
        reply = (await this.conn.xread(
          'COUNT',
          this.s.batch,
          'BLOCK',
          this.s.blockMs,
          'STREAMS',
          this.key,
          this.lastId,
        )) as XReadReply;
        backoffMs = 50;
      } catch (err) {
        if (this.closed) return;
        this.s.logger?.warn({ err, stream: this.name }, 'event bus read failed; retrying');
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 2_000);
        continue;
      }
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          if (this.closed) return;
          this.lastId = id;
          await this.deliver(fields);
        }
      }
    }
  }

  private async deliver(fields: string[]): Promise<void> {
    const seq = seqOf(fields);
    const expected = this.lastSeq === null ? null : this.lastSeq + 1;
    this.lastSeq = seq;
    if (expected !== null && seq !== expected) {
      try {
        await this.opts.onGap?.(this.name, expected, seq);
      } catch (err) {
        this.fail(err, null);
      }
    }
    let envelope: BusEnvelope;
    try {
      envelope = envelopeFromFields(this.name, fields);
    } catch (err) {
      this.fail(err, null); // not a valid event: skipped, its seq still counts
      return;
    }
    try {
      await this.opts.onEvent(envelope);
    } catch (err) {
      this.fail(err, envelope);
    }
  }

  private fail(err: unknown, envelope: BusEnvelope | null): void {
    if (this.opts.onError) this.opts.onError(err, envelope);
    else
      this.s.logger?.error(
        { err, stream: this.name, seq: envelope?.seq },
        'event consumer failed; continuing',
      );
  }
}

function seqOf(fields: string[]): number {
  const i = fields.indexOf('seq');
  return i >= 0 ? Number(fields[i + 1]) : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
