import { systemClock, type Clock } from '../../ports/clock.js';
import { RedisKeys } from './keys.js';

/** Settings shared by the Redis adapters. */
export interface RedisAdapterOptions {
  /** REDIS_PREFIX (config.redisPrefix). */
  prefix: string;
  /** Stamps envelopes (`tsMs`). */
  clock?: Clock;
  /**
   * Events kept per stream (XADD MAXLEN). A consumer further behind than this sees a gap and
   * re-snapshots. Default 100,000 (minutes of a large center's traffic).
   */
  streamMaxLen?: number;
  /**
   * Approximate trimming (MAXLEN ~, default): Redis trims whole stream nodes, so a stream may
   * briefly hold somewhat more than streamMaxLen; much cheaper. Tests use exact trimming.
   */
  approximateTrim?: boolean;
}

export interface ResolvedOptions {
  keys: RedisKeys;
  clock: Clock;
  maxLen: number;
  trim: '~' | '=';
}

export function resolveOptions(o: RedisAdapterOptions): ResolvedOptions {
  return {
    keys: new RedisKeys(o.prefix),
    clock: o.clock ?? systemClock,
    maxLen: o.streamMaxLen ?? 100_000,
    trim: (o.approximateTrim ?? true) ? '~' : '=',
  };
}
