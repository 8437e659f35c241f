import type { Redis } from 'ioredis';
import type { CampaignId } from '@ringside/protocol';
import { RedisKeys } from '../../adapters/redis/keys.js';
import type { LedgerDay } from '../../domain/pacing/ledger.js';
import type { PacingControl } from '../../domain/pacing/pacer.js';

/**
 * The dialer's own Redis keys, under REDIS_PREFIX `p` (to move into adapters/redis/keys.ts, which
 * the dialer does not own):
 *
 *   p:{dialer}:lease:<campaignId>   string  the instance id driving the campaign (PX = lease TTL)
 *   p:{dialer}:ledger:<campaignId>  hash    <utcDay>:d drops, <utcDay>:h human answers,
 *                                           <utcDay>:e estimated AMD drops, <utcDay>:a estimated
 *                                           people among MACHINE verdicts agents got (floats)
 *   p:{dnc}:all                     set     system-wide DNC numbers (E.164)
 *   p:{dnc}:c:<campaignId>          set     the campaign's DNC numbers
 *   p:{dnc}:tmp:<name>              set     rebuild scratch, renamed over the live set
 *
 * Every dialer key shares `{dialer}` and every DNC key `{dnc}`, so the scripts below and the
 * RENAME of a rebuild stay in one slot on Redis Cluster.
 */
export class DialerKeys {
  private readonly shared: RedisKeys;
  constructor(readonly prefix: string) {
    this.shared = new RedisKeys(prefix);
  }
  lease(campaignId: CampaignId): string {
    return this.shared.dialerLease(campaignId);
  }
  /** AMD audit marks of a campaign (adapters/redis/keys.ts). */
  amdAudit(campaignId: CampaignId): string {
    return this.shared.amdAudit(campaignId);
  }
  /** One MACHINE verdict sent to an agent: `pending:<campaignId>`, then the agent's mark. */
  amdMark(callId: string): string {
    return `${this.prefix}:{dialer}:amd-mark:${callId}`;
  }
  /** The campaign's pacing control state (adapters/redis/keys.ts), beside its lease. */
  pacingControl(campaignId: CampaignId): string {
    return this.shared.pacingControl(campaignId);
  }
  ledger(campaignId: CampaignId): string {
    return `${this.prefix}:{dialer}:ledger:${campaignId}`;
  }
  dncAll(): string {
    return `${this.prefix}:{dnc}:all`;
  }
  dncCampaign(campaignId: string): string {
    return `${this.prefix}:{dnc}:c:${campaignId}`;
  }
  dncTmp(name: string): string {
    return `${this.prefix}:{dnc}:tmp:${name}`;
  }
}

/**
 * KEYS[1] lease key; ARGV[1] owner id; ARGV[2] TTL ms.
 * Result: 1 when the caller holds the lease afterwards (taken now, or renewed), 0 when another
 * owner holds it. One script, so a renewal never extends a lease someone else took meanwhile.
 */
const LEASE_TAKE_OR_RENEW = `
local cur = redis.call('GET', KEYS[1])
if cur == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/**
 * KEYS[1] lease key; ARGV[1] owner id.
 * Result: 1 when the caller's lease was deleted, 0 when it was not the caller's.
 */
const LEASE_RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

type Command = (...args: Array<string | number>) => Promise<unknown>;

function define(redis: Redis, name: string, lua: string): Command {
  redis.defineCommand(name, { numberOfKeys: 1, lua });
  const fn = (redis as unknown as Record<string, Command | undefined>)[name];
  if (!fn) throw new Error(`ioredis did not define ${name}`);
  return (...args) => fn.apply(redis, args);
}

/**
 * One dialer instance drives a campaign at a time: the lease is a Redis key holding the owner's
 * id with a TTL; the owner renews it well before it expires. An owner that dies stops renewing
 * and another instance takes the campaign within one TTL plus one scan.
 */
export class CampaignLeases {
  private readonly take: Command;
  private readonly release: Command;

  constructor(
    private readonly redis: Redis,
    private readonly keys: DialerKeys,
    readonly ownerId: string,
    /** Lease TTL, ms (real time). */
    readonly ttlMs: number,
  ) {
    this.take = define(redis, 'rs_dialerLeaseTake', LEASE_TAKE_OR_RENEW);
    this.release = define(redis, 'rs_dialerLeaseRelease', LEASE_RELEASE);
  }

  /** Takes the lease when free, renews it when ours; true when we hold it afterwards. */
  async acquireOrRenew(campaignId: CampaignId): Promise<boolean> {
    return Number(await this.take(this.keys.lease(campaignId), this.ownerId, this.ttlMs)) === 1;
  }

  async give(campaignId: CampaignId): Promise<void> {
    await this.release(this.keys.lease(campaignId), this.ownerId);
  }

  async owner(campaignId: CampaignId): Promise<string | null> {
    return this.redis.get(this.keys.lease(campaignId));
  }
}

/**
 * KEYS[1] lease key; KEYS[2] pacing control key; ARGV[1] owner id; ARGV[2] control JSON.
 * Result: 1 when written, 0 when the caller does not hold the lease (a stalled former holder must
 * not overwrite the state its successor continues from).
 */
const CONTROL_SAVE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2])
return 1
`;

/** Reads a stored PacingControl; null when absent or not one (then the controller starts afresh). */
export function parsePacingControl(raw: string | null): PacingControl | null {
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Partial<Record<keyof PacingControl, unknown>>;
    const { theta, humansAt, dropsAt } = v;
    if (
      typeof theta === 'number' &&
      typeof humansAt === 'number' &&
      typeof dropsAt === 'number' &&
      Number.isFinite(theta) &&
      theta > 0 &&
      Number.isFinite(humansAt) &&
      Number.isFinite(dropsAt)
    )
      return { theta, humansAt, dropsAt };
  } catch {
    // Not JSON: treated as absent.
  }
  return null;
}

/**
 * Each campaign's predictive controller state (PacingControl) in Redis beside its lease, so a
 * restarted dialer or another instance taking the campaign over continues from the same theta
 * instead of restarting at 0.02. Written only while the writer holds the lease (one script).
 */
export class PacingControlStore {
  private readonly saveCmd: Command;

  constructor(
    private readonly redis: Redis,
    private readonly keys: DialerKeys,
    readonly ownerId: string,
  ) {
    redis.defineCommand('rs_dialerControlSave', { numberOfKeys: 2, lua: CONTROL_SAVE });
    const fn = (redis as unknown as Record<string, Command | undefined>).rs_dialerControlSave;
    if (!fn) throw new Error('ioredis did not define rs_dialerControlSave');
    this.saveCmd = (...args) => fn.apply(redis, args);
  }

  async load(campaignId: CampaignId): Promise<PacingControl | null> {
    return parsePacingControl(await this.redis.get(this.keys.pacingControl(campaignId)));
  }

  /** False when this instance no longer holds the campaign's lease (nothing written). */
  async save(campaignId: CampaignId, control: PacingControl): Promise<boolean> {
    const r = await this.saveCmd(
      this.keys.lease(campaignId),
      this.keys.pacingControl(campaignId),
      this.ownerId,
      JSON.stringify(control),
    );
    return Number(r) === 1;
  }
}

/**
 * KEYS[1] the call's mark key; KEYS[2] the campaign's audit hash; ARGV[1] campaign id;
 * ARGV[2] 'person' | 'machine'.
 * Result: 0 the call is not a MACHINE verdict of that campaign sent to an agent (or too old);
 * 1 counted; 2 the same mark again (nothing changes); 3 the mark changed (counts moved).
 */
const AMD_MARK = `
local cur = redis.call('GET', KEYS[1])
if cur == false then return 0 end
if cur == 'pending:' .. ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  return 1
end
if cur == ARGV[2] then return 2 end
if cur == 'person' or cur == 'machine' then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  redis.call('HINCRBY', KEYS[2], cur, -1)
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  return 3
end
return 0
`;

/** How long an agent may still mark a MACHINE verdict sent to them, s. */
const AMD_MARK_TTL_S = 24 * 3600;

export type AmdMark = 'person' | 'machine';

/**
 * The AMD audit (docs/pacing.md): MACHINE verdicts the dialer sends to agents are recorded as
 * pending; the agent marks each "a person" or "a machine" once (a changed mind moves the count);
 * the dialer reads the campaign's counts into its AMD estimate.
 */
export class AmdAuditStore {
  private readonly markCmd: Command;

  constructor(
    private readonly redis: Redis,
    private readonly keys: DialerKeys,
  ) {
    redis.defineCommand('rs_dialerAmdMark', { numberOfKeys: 2, lua: AMD_MARK });
    const fn = (redis as unknown as Record<string, Command | undefined>).rs_dialerAmdMark;
    if (!fn) throw new Error('ioredis did not define rs_dialerAmdMark');
    this.markCmd = (...args) => fn.apply(redis, args);
  }

  /** The dialer sent this MACHINE verdict to an agent: it may be marked. */
  async pending(campaignId: CampaignId, callId: string): Promise<void> {
    await this.redis.set(this.keys.amdMark(callId), `pending:${campaignId}`, 'EX', AMD_MARK_TTL_S);
  }

  /** 'not-audited' when the call is no MACHINE verdict of the campaign sent to an agent. */
  async mark(
    campaignId: CampaignId,
    callId: string,
    mark: AmdMark,
  ): Promise<'counted' | 'unchanged' | 'changed' | 'not-audited'> {
    const r = Number(
      await this.markCmd(
        this.keys.amdMark(callId),
        this.keys.amdAudit(campaignId),
        campaignId,
        mark,
      ),
    );
    return r === 1 ? 'counted' : r === 2 ? 'unchanged' : r === 3 ? 'changed' : 'not-audited';
  }

  async marks(campaignId: CampaignId): Promise<{ person: number; machine: number }> {
    const [p, m] = await this.redis.hmget(this.keys.amdAudit(campaignId), 'person', 'machine');
    return { person: Math.max(0, Number(p ?? 0)), machine: Math.max(0, Number(m ?? 0)) };
  }
}

/** What a campaign's dialer is doing, for supervisors (published as dialer.status: status-publisher.ts). */
export interface DialerStatus {
  campaignId: CampaignId;
  /** The instance driving it. */
  instanceId: string;
  /** idle: not dialing now (see reason); dialing: placed calls in the last decision. */
  state: 'idle' | 'dialing' | 'blocked';
  /** One sentence a supervisor can read: why it dials this much, or why it does not dial. */
  reason: string;
  mode: string;
  appliedMode: string;
  readyAgents: number;
  callsInFlight: number;
  waitingForAgent: number;
  atMs: number;
  /** The 30-day ledger: counted drops apart from the estimated AMD drops (docs/pacing.md). */
  drops?: DialerStatusDrops;
  /** The AMD rule and the campaign's AMD error estimate. */
  amd?: DialerStatusAmd;
}

export interface DialerStatusDrops {
  counted: number;
  estimated: number;
  /** Human answers counted (the estimated people come on top in ratePct's denominator). */
  humans: number;
  /** (counted + estimated) / (humans + estimated), percent: what pacing budgets against. */
  ratePct: number;
  capPct: number;
}

export interface DialerStatusAmd {
  /** False: MACHINE verdicts go to agents, AMD's errors alone would spend the cap (`note`). */
  hangups: boolean;
  note: string;
  source: 'admin' | 'audit';
  humanAsMachinePct: number;
  machineAsHumanPct: number;
  /** The audit's 95 % Wilson interval of people among MACHINE verdicts, with its mark count. */
  interval: { lo: number; hi: number; marks: number } | null;
  auditPct: number;
}

/**
 * The drop-rate ledger's counts per UTC day, in Redis so that the API reads the same numbers the
 * driving dialer spends. The lease holder increments it on every call.ended; it is rebuilt from
 * call_log (the durable record) when a dialer takes the campaign.
 */
export class LedgerStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: DialerKeys,
  ) {}

  async add(
    campaignId: CampaignId,
    day: number,
    drops: number,
    humans: number,
    estimated = 0,
    estimatedAnswers = 0,
  ): Promise<void> {
    if (drops === 0 && humans === 0 && !(estimated > 0) && !(estimatedAnswers > 0)) return;
    const key = this.keys.ledger(campaignId);
    const p = this.redis.pipeline();
    if (drops) p.hincrby(key, `${day}:d`, drops);
    if (humans) p.hincrby(key, `${day}:h`, humans);
    if (estimated > 0) p.hincrbyfloat(key, `${day}:e`, estimated);
    if (estimatedAnswers > 0) p.hincrbyfloat(key, `${day}:a`, estimatedAnswers);
    await p.exec();
  }

  async days(campaignId: CampaignId): Promise<LedgerDay[]> {
    return parseLedger(await this.redis.hgetall(this.keys.ledger(campaignId)));
  }

  async exists(campaignId: CampaignId): Promise<boolean> {
    return (await this.redis.exists(this.keys.ledger(campaignId))) === 1;
  }

  /**
   * Replaces the campaign's counts (rebuild from call_log). Estimated AMD drops are not in
   * call_log: the ones already in Redis are kept unless `days` carries its own.
   */
  async replace(campaignId: CampaignId, days: readonly LedgerDay[]): Promise<void> {
    const key = this.keys.ledger(campaignId);
    const fields: Array<string | number> = [];
    const kept = new Map<number, number>();
    const keptAnswers = new Map<number, number>();
    for (const d of parseLedger(await this.redis.hgetall(key))) {
      if (d.estimated) kept.set(d.day, d.estimated);
      if (d.estimatedAnswers) keptAnswers.set(d.day, d.estimatedAnswers);
    }
    for (const d of days) {
      fields.push(`${d.day}:d`, d.drops, `${d.day}:h`, d.humans);
      if (d.estimated !== undefined) kept.set(d.day, d.estimated);
    }
    for (const [day, e] of kept) if (e > 0) fields.push(`${day}:e`, e);
    for (const [day, a] of keptAnswers) if (a > 0) fields.push(`${day}:a`, a);
    const p = this.redis.pipeline().del(key);
    if (fields.length) p.hset(key, ...fields);
    await p.exec();
  }
}

export function parseLedger(h: Record<string, string>): LedgerDay[] {
  const byDay = new Map<number, LedgerDay>();
  for (const [field, value] of Object.entries(h)) {
    const m = /^(\d+):([dhea])$/.exec(field);
    if (!m) continue;
    const day = Number(m[1]);
    const d: LedgerDay = byDay.get(day) ?? { day, drops: 0, humans: 0 };
    if (m[2] === 'd') d.drops = Number(value);
    else if (m[2] === 'h') d.humans = Number(value);
    else if (m[2] === 'e') d.estimated = Number(value);
    else d.estimatedAnswers = Number(value);
    byDay.set(day, d);
  }
  return [...byDay.values()].sort((a, b) => a.day - b.day);
}
