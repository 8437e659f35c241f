import type { Redis } from 'ioredis';
import type { CampaignId } from '@ringside/protocol';
import type { LedgerDay, PacingControl } from '../../domain/pacing/index.js';
import type {
  AmdAudit,
  AmdMark,
  CampaignLeaseStore,
  DropLedgerStore,
  PacingControlPort,
} from '../../ports/dialer.js';
import type { RedisKeys } from './keys.js';
import { loadScripts, type Scripts } from './scripts.js';

/*
 * The dialer's state in Redis (keys: keys.ts dialerLease, pacingControl, dialerLedger, amdAudit,
 * amdMark; every one shares `{dialer}`, so the scripts stay in one slot on Redis Cluster).
 */

/** A dialer store over one Redis connection: its keys and the Lua scripts (scripts.ts). */
export abstract class DialerRedisStore {
  protected readonly scripts: Scripts;

  constructor(
    protected readonly redis: Redis,
    protected readonly keys: RedisKeys,
  ) {
    this.scripts = loadScripts(redis);
  }
}

/**
 * One dialer instance drives a campaign at a time: the lease is a Redis key holding the owner's
 * id with a TTL; the owner renews it well before it expires. An owner that dies stops renewing
 * and another instance takes the campaign within one TTL plus one scan.
 */
export class CampaignLeases extends DialerRedisStore implements CampaignLeaseStore {
  constructor(
    redis: Redis,
    keys: RedisKeys,
    readonly ownerId: string,
    /** Lease TTL, ms (real time). */
    readonly ttlMs: number,
  ) {
    super(redis, keys);
  }

  /** Takes the lease when free, renews it when ours; true when we hold it afterwards. */
  async acquireOrRenew(campaignId: CampaignId): Promise<boolean> {
    const r = await this.scripts.dialerLeaseTake(
      [this.keys.dialerLease(campaignId)],
      [this.ownerId, this.ttlMs],
    );
    return Number(r) === 1;
  }

  async give(campaignId: CampaignId): Promise<void> {
    await this.scripts.dialerLeaseRelease([this.keys.dialerLease(campaignId)], [this.ownerId]);
  }

  async owner(campaignId: CampaignId): Promise<string | null> {
    return this.redis.get(this.keys.dialerLease(campaignId));
  }
}

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
export class PacingControlStore extends DialerRedisStore implements PacingControlPort {
  constructor(
    redis: Redis,
    keys: RedisKeys,
    readonly ownerId: string,
  ) {
    super(redis, keys);
  }

  async load(campaignId: CampaignId): Promise<PacingControl | null> {
    return parsePacingControl(await this.redis.get(this.keys.pacingControl(campaignId)));
  }

  /** False when this instance no longer holds the campaign's lease (nothing written). */
  async save(campaignId: CampaignId, control: PacingControl): Promise<boolean> {
    const r = await this.scripts.dialerControlSave(
      [this.keys.dialerLease(campaignId), this.keys.pacingControl(campaignId)],
      [this.ownerId, JSON.stringify(control)],
    );
    return Number(r) === 1;
  }
}

/** How long an agent may still mark a MACHINE verdict sent to them, s. */
const AMD_MARK_TTL_S = 24 * 3600;

/**
 * The AMD audit (docs/pacing.md): MACHINE verdicts the dialer sends to agents are recorded as
 * pending; the agent marks each "a person" or "a machine" once (a changed mind moves the count);
 * the dialer reads the campaign's counts into its AMD estimate.
 */
export class AmdAuditStore extends DialerRedisStore implements AmdAudit {
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
      await this.scripts.dialerAmdMark(
        [this.keys.amdMark(callId), this.keys.amdAudit(campaignId)],
        [campaignId, mark],
      ),
    );
    return r === 1 ? 'counted' : r === 2 ? 'unchanged' : r === 3 ? 'changed' : 'not-audited';
  }

  async marks(campaignId: CampaignId): Promise<{ person: number; machine: number }> {
    const [p, m] = await this.redis.hmget(this.keys.amdAudit(campaignId), 'person', 'machine');
    return { person: Math.max(0, Number(p ?? 0)), machine: Math.max(0, Number(m ?? 0)) };
  }
}

/**
 * The drop-rate ledger's counts per UTC day, in Redis so that the API reads the same numbers the
 * driving dialer spends. The lease holder increments it on every call.ended; it is rebuilt from
 * call_log (the durable record) when a dialer takes the campaign.
 */
export class LedgerStore implements DropLedgerStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
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
    const key = this.keys.dialerLedger(campaignId);
    const p = this.redis.pipeline();
    if (drops) p.hincrby(key, `${day}:d`, drops);
    if (humans) p.hincrby(key, `${day}:h`, humans);
    if (estimated > 0) p.hincrbyfloat(key, `${day}:e`, estimated);
    if (estimatedAnswers > 0) p.hincrbyfloat(key, `${day}:a`, estimatedAnswers);
    await p.exec();
  }

  async days(campaignId: CampaignId): Promise<LedgerDay[]> {
    return parseLedger(await this.redis.hgetall(this.keys.dialerLedger(campaignId)));
  }

  async exists(campaignId: CampaignId): Promise<boolean> {
    return (await this.redis.exists(this.keys.dialerLedger(campaignId))) === 1;
  }

  /**
   * Replaces the campaign's counts (rebuild from call_log). A day's estimated AMD drops and
   * answers come from `days` where it has them (call_log keeps them since 0102); otherwise the
   * ones already in Redis are kept (calls recorded before call_log had them).
   */
  async replace(campaignId: CampaignId, days: readonly LedgerDay[]): Promise<void> {
    const key = this.keys.dialerLedger(campaignId);
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
      if (d.estimatedAnswers !== undefined) keptAnswers.set(d.day, d.estimatedAnswers);
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
