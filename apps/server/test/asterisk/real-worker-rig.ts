import type { BusEnvelope, CallId, CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import { Redis } from 'ioredis';
import {
  AriRestClient,
  type AriRestClientOptions,
} from '../../src/adapters/asterisk/ari-client.js';
import { ServerPool } from '../../src/adapters/asterisk/server-pool.js';
import { CallLogRepository } from '../../src/adapters/postgres/call-log.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { createLogger } from '../../src/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import { CallOriginator } from '../../src/services/telephony/ari-worker-originator.js';
import { killAll, type RoleProcess } from '../ha/roles.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../helpers/redis.js';

/**
 * What the real ari-worker take-over tests share (real-ari-worker-twice, real-fleet-workers): a
 * fresh database with one campaign, a Redis prefix with every bus event kept in `seen`, and a
 * call originator per real Asterisk server placing talking customers
 * (`Local/<digits>@sim-customers-talking`: they answer, AMD hears a person, they keep talking), so
 * that the ari-worker processes under test have live calls to follow.
 */
export class RealWorkerRig {
  readonly prefix: string;
  readonly seen: BusEnvelope[] = [];
  /** Every call placed, and the server it was placed on. */
  readonly placed: Array<{ callId: CallId; serverId: string }> = [];
  readonly clients = new Map<string, AriRestClient>();
  private readonly originators = new Map<string, CallOriginator>();
  private closeFeed: (() => Promise<void>) | null = null;
  private db_: TestDb | null = null;
  private redis_: Redis | null = null;
  private store_: RedisStateStore | null = null;
  private campaignId = '';

  /**
   * `name`: the database, campaign and Redis prefix's name; `idTag`: the call ids' stem;
   * `digits`: the phone numbers' stem (three digits).
   */
  constructor(
    private readonly name: string,
    private readonly idTag: string,
    private readonly digits: string,
  ) {
    this.prefix = testRedisPrefix(name);
  }

  get db(): TestDb {
    if (!this.db_) throw new Error('rig not started');
    return this.db_;
  }
  get redis(): Redis {
    if (!this.redis_) throw new Error('rig not started');
    return this.redis_;
  }
  get store(): RedisStateStore {
    if (!this.store_) throw new Error('rig not started');
    return this.store_;
  }

  async start(servers: ReadonlyArray<{ id: string; ari: AriRestClientOptions }>): Promise<void> {
    this.db_ = await createTestDb(this.name);
    const c = await this.db_.pool.query<{ id: string }>(
      'INSERT INTO campaigns (name) VALUES ($1) RETURNING id',
      [this.name],
    );
    this.campaignId = String(c.rows[0]?.id);
    this.redis_ = new Redis(TEST_REDIS_URL);
    const store = new RedisStateStore(this.redis_, { prefix: this.prefix, clock: systemClock });
    this.store_ = store;
    const bus = new RedisEventBus(new Redis(TEST_REDIS_URL), {
      prefix: this.prefix,
      clock: systemClock,
    });
    const sub = await bus.subscribe({ from: 'latest', onEvent: (e) => void this.seen.push(e) });
    this.closeFeed = () => sub.close();
    for (const s of servers) {
      const client = new AriRestClient(s.ari);
      this.clients.set(s.id, client);
      this.originators.set(
        s.id,
        new CallOriginator({
          pool: new ServerPool([{ id: s.id, client, maxCalls: 100 }], store),
          store,
          callLog: new CallLogRepository(this.db_.pool),
          clock: systemClock,
          logger: createLogger('silent'),
          dialTemplate: 'Local/{digits}@sim-customers-talking',
        }),
      );
    }
  }

  /** Places `n` calls on `serverId`; their ids. */
  async place(serverId: string, n: number, tag: string): Promise<CallId[]> {
    const originator = this.originators.get(serverId);
    if (!originator) throw new Error(`no originator for server ${serverId}`);
    const ids: CallId[] = [];
    for (let i = 0; i < n; i++) {
      const k = this.placed.length;
      const callId = `${this.idTag}-${tag}-${i}-${Date.now().toString(36)}` as CallId;
      await originator.originate({
        callId,
        campaignId: this.campaignId as CampaignId,
        leadId: String(100 + k) as LeadId,
        listId: '1' as ListId,
        phone: `+1555${this.digits}${String(k).padStart(4, '0')}` as E164,
        attempt: 1,
        ringTimeoutS: 30,
      });
      this.placed.push({ callId, serverId });
      ids.push(callId);
    }
    return ids;
  }

  /** How many call.ended events the call has had. */
  endedCount(callId: string): number {
    return this.seen.filter((e) => e.event.type === 'call.ended' && e.event.callId === callId)
      .length;
  }

  /** Kills `procs`, hangs up the calls placed that are still up, removes the keys and database. */
  async close(procs: RoleProcess[]): Promise<void> {
    await killAll(procs);
    await this.closeFeed?.();
    const ids = new Set<string>(this.placed.map((p) => p.callId));
    for (const c of this.clients.values()) {
      for (const ch of await c.listChannels().catch(() => []))
        if (ids.has(ch.id)) await c.hangup(ch.id).catch(() => undefined);
      c.close();
    }
    if (this.redis_) {
      const keys = await this.redis_.keys(`${this.prefix}:*`);
      if (keys.length) await this.redis_.del(...keys);
      this.redis_.disconnect();
    }
    await this.db_?.drop();
  }
}
