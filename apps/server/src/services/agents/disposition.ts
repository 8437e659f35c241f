import { sql } from 'kysely';
import type { AgentId, CallId, DispositionBody, LeadId } from '@ringside/protocol';
import type { CampaignsRepo } from '../../adapters/postgres/campaigns.js';
import type { Db } from '../../adapters/postgres/database.js';
import type { DispositionsRepo, Disposition } from '../../adapters/postgres/dispositions.js';
import { createDncRepo } from '../../adapters/postgres/dnc.js';
import { createCallbacksRepo } from '../../adapters/postgres/callbacks.js';
import { createLeadLogRepo, type NewLeadLogEntry } from '../../adapters/postgres/lead-log.js';
import { maxAttemptsFor, recycleDelayMs, type RecycleRule } from '../../domain/calling-window.js';
import {
  IllegalTransitionError,
  NotFoundError,
  RingsideError,
  ValidationError,
} from '../../errors.js';
import type { AgentSessionApi } from '../../http/deps.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { EventBus, Subscription } from '../../ports/event-bus.js';
import type { AgentStatus, StateStore } from '../../ports/state-store.js';
import type { AgentEffect } from '../../domain/agent-state.js';
import type { AgentSessionService } from './agent-session.js';

/** A callback may be scheduled at most this far ahead (ms): a year. */
const MAX_CALLBACK_AHEAD_MS = 366 * 24 * 3600 * 1000;
/** Campaign settings are re-read after this long (ms), so an admin's change applies quickly. */
const CAMPAIGN_CACHE_MS = 5_000;

/** The "pause after this call" requests (adapters/redis/presence.ts). */
export interface PendingPauses {
  set(agentId: AgentId, code: string): Promise<void>;
  take(agentId: AgentId): Promise<string | null>;
}

export interface DispositionServiceDeps {
  db: Db;
  store: StateStore;
  sessions: Pick<AgentSessionService, 'apply'>;
  dispositions: Pick<DispositionsRepo, 'findByCode'>;
  campaigns: Pick<CampaignsRepo, 'get' | 'recycleRules'>;
  pendingPauses: PendingPauses;
  /** The dialer's Redis DNC sets, told right after the dnc row is written (no lag at dial time). */
  dncCache?: { add(phone: string, campaignId: string | null): Promise<void> };
  clock: Clock;
  logger: Logger;
}

interface CallRow {
  id: string;
  campaign_id: string;
  lead_id: string;
  phone: string;
  /** The agent who has, or had last, the customer: its disposition is the call's. */
  agent_id: string | null;
  disposition: string | null;
  /** The asking agent handed this call over (call_handoffs has its part). */
  handed_over: boolean;
  /** Its part's disposition, when already recorded. */
  handoff_disposition: string | null;
}

/**
 * Which disposition an agent owes for a call: `final` - the call's and the lead's (the agent who
 * had the customer last, or nobody recorded); `handoff` - its own part of a call it transferred to
 * another agent; null - it did not handle the call.
 */
type Part = 'final' | 'handoff';

function partOf(call: CallRow, agentId: AgentId | null): Part | null {
  if (call.agent_id === null || agentId === null || call.agent_id === agentId) return 'final';
  return call.handed_over ? 'handoff' : null;
}

interface CampaignRules {
  wrapupMs: number;
  timeoutAction: 'disposition' | 'pause';
  defaultCode: string;
  maxAttempts: number;
  rules: Record<string, RecycleRule>;
  loadedAtMs: number;
}

/** What was written for one disposition (tests and logs). */
export interface DispositionRecord {
  callId: CallId;
  leadId: LeadId;
  code: string;
  dnc: boolean;
  callbackId: string | null;
  /** False when this agent's part already had a disposition (nothing was written). */
  written: boolean;
  /** `final`: the call's and the lead's outcome; `handoff`: the part of an agent who transferred. */
  part: Part;
}

/**
 * Dispositions: what the agent (or the wrap-up timeout) says about a call that ended. One
 * PostgreSQL transaction writes call_log.disposition/disposed_at (only if still empty, so a
 * disposition is recorded once whoever races), the lead (status, final, next_eligible_at from the
 * campaign's recycle rules, out of the hopper), the DNC entry, the callback and lead_log; then the
 * agent leaves wrap-up through the agent session service.
 *
 * DNC scope: a disposition flagged `dnc` adds the number to the DNC list of the call's CAMPAIGN
 * (the flag's documented meaning in adapters/postgres/dispositions.ts: "adds the number to the
 * campaign's DNC list"), whether the disposition itself is system-wide or the campaign's. A
 * system-wide block is an admin's decision (DNC import or API), not an agent's.
 *
 * Attempts: leads.attempts is counted when the call is dialed (dialer/leads.ts); the disposition
 * does not count it again, it compares it with the cap to decide whether the lead is used up.
 *
 * Transferred calls: every agent who handled the call owes one disposition for its part
 * (idempotent per call and agent). The agent who had the customer last (call_log.agent_id, moved
 * by the transfer) gives the call's: call_log.disposition and the lead's outcome, whenever it
 * arrives. An agent who handed the call over records its own in call_handoffs and lead_log (its
 * reports count it) without touching the lead's status or recycling; its DNC flag still lists the
 * number and its callback is still scheduled.
 */
export class DispositionService {
  private readonly campaignCache = new Map<string, CampaignRules>();

  constructor(private readonly d: DispositionServiceDeps) {}

  /**
   * The agent's disposition of its own call. The agent must be in WRAPUP or DEAD with this call
   * (IllegalTransitionError otherwise, nothing written); an unknown code or a bad callback time is
   * a ValidationError naming the field. Returns the agent's new status (READY, or PAUSED when it
   * asked to pause after the call).
   */
  async dispose(agentId: AgentId, input: DispositionBody): Promise<AgentStatus> {
    const agent = await this.d.store.getAgent(agentId);
    if (!agent || (agent.state !== 'WRAPUP' && agent.state !== 'DEAD')) {
      throw new IllegalTransitionError(
        agent?.state ?? 'LOGGED_OUT',
        'dispose',
        agent?.state === 'INCALL' || agent?.state === 'RESERVED'
          ? 'hang up the call before its disposition'
          : `cannot dispose from ${agent?.state ?? 'LOGGED_OUT'}: no call is waiting for one`,
      );
    }
    if (agent.callId !== input.callId) {
      throw new IllegalTransitionError(
        agent.state,
        'dispose',
        'that call is not the one waiting for a disposition',
      );
    }
    const call = await this.callRow(input.callId, agentId);
    if (!call) throw new NotFoundError(`call ${input.callId} has no record`);
    const part = partOf(call, agentId);
    if (part === null) {
      throw new IllegalTransitionError(agent.state, 'dispose', 'not your call');
    }
    const disposition = await this.d.dispositions.findByCode(call.campaign_id, input.code);
    if (!disposition) {
      throw new ValidationError(`code: ${input.code} is not a disposition of this campaign`, [
        { path: 'code', message: 'unknown disposition code' },
      ]);
    }
    const now = this.d.clock.nowMs();
    let callbackAtMs: number | null = null;
    if (disposition.callback) {
      if (input.callbackAtMs === undefined) {
        throw new ValidationError('callbackAtMs: a callback disposition needs a time', [
          { path: 'callbackAtMs', message: 'required for a callback disposition' },
        ]);
      }
      if (input.callbackAtMs <= now || input.callbackAtMs > now + MAX_CALLBACK_AHEAD_MS) {
        throw new ValidationError('callbackAtMs: must be in the future, within a year', [
          { path: 'callbackAtMs', message: 'must be in the future, within a year' },
        ]);
      }
      callbackAtMs = input.callbackAtMs;
    }

    const rec = await this.record(call, part, disposition, {
      agentId,
      callbackAtMs,
      callbackAgentOnly: input.callbackAgentOnly ?? true,
      note: input.note ?? '',
      auto: false,
      atMs: now,
    });
    if (!rec.written) {
      throw new IllegalTransitionError(
        agent.state,
        'dispose',
        part === 'final'
          ? 'the call already has a disposition'
          : 'your part of the call already has a disposition',
      );
    }
    return this.leaveWrapup(agentId, agent);
  }

  /**
   * The agent leaves wrap-up after its disposition: PAUSED with the code it asked for during
   * the call, else READY. From DEAD (the customer hung up first) the agent hangs up first.
   */
  private async leaveWrapup(agentId: AgentId, agent: AgentStatus): Promise<AgentStatus> {
    if (agent.state === 'DEAD') {
      await this.d.sessions.apply(agentId, { type: 'agent_hangup', wrapupMs: 0 }, 'agent');
    }
    const pauseCode = await this.d.pendingPauses.take(agentId);
    const r = pauseCode
      ? await this.d.sessions.apply(agentId, { type: 'pause', code: pauseCode }, 'agent:disposed')
      : await this.d.sessions.apply(agentId, { type: 'ready' }, 'agent:disposed');
    return r.status;
  }

  /**
   * The campaign's default disposition for the agent's part of a call it did not dispose (wrap-up
   * timeout, logout during wrap-up): the call's when it had the customer last (or `agentId` is
   * null), its handed-over part otherwise. Writes nothing when that part already has one, or when
   * the agent did not handle the call. Never throws for a missing code: the campaign's setting is
   * recorded as it is (with a warning), so the lead is not left undecided.
   */
  async autoDispose(callId: CallId, agentId: AgentId | null): Promise<DispositionRecord | null> {
    const call = await this.callRow(callId, agentId);
    if (!call) return null;
    const part = partOf(call, agentId);
    if (part === null) return null;
    const c = await this.campaign(call.campaign_id);
    const found = await this.d.dispositions.findByCode(call.campaign_id, c.defaultCode);
    if (!found) {
      this.d.logger.warn(
        { callId, campaignId: call.campaign_id, code: c.defaultCode },
        'default disposition is not defined; recorded as it is',
      );
    }
    const disposition: Pick<Disposition, 'code' | 'dnc' | 'callback' | 'final'> = found ?? {
      code: c.defaultCode,
      dnc: false,
      callback: false,
      final: false,
    };
    return this.record(
      call,
      part,
      { ...disposition, callback: false },
      {
        agentId,
        callbackAtMs: null,
        callbackAgentOnly: false,
        note: '',
        auto: true,
        atMs: this.d.clock.nowMs(),
      },
    );
  }

  private async record(
    call: CallRow,
    part: Part,
    disposition: Pick<Disposition, 'code' | 'dnc' | 'callback' | 'final'>,
    o: {
      agentId: AgentId | null;
      callbackAtMs: number | null;
      callbackAgentOnly: boolean;
      note: string;
      auto: boolean;
      atMs: number;
    },
  ): Promise<DispositionRecord> {
    const c = await this.campaign(call.campaign_id);
    const numericAgent = o.agentId !== null && /^\d{1,18}$/.test(o.agentId) ? o.agentId : null;
    const at = new Date(o.atMs);
    const result = await this.d.db.transaction().execute(async (trx) => {
      // Claim this agent's part: the first writer wins, a second (agent vs. timeout) writes nothing.
      const claimed =
        part === 'final'
          ? await sql<{ id: string }>`
              UPDATE call_log SET disposition = ${disposition.code}, disposed_at = ${at}
               WHERE id = ${call.id} AND disposition IS NULL RETURNING id`.execute(trx)
          : await sql<{ id: string }>`
              UPDATE call_handoffs SET disposition = ${disposition.code}, disposed_at = ${at},
                     auto = ${o.auto}
               WHERE call_id = ${call.id} AND agent_id = ${numericAgent}
                 AND disposition IS NULL RETURNING call_id AS id`.execute(trx);
      if (claimed.rows.length === 0) return null;

      let final = false;
      let lead;
      if (part === 'final') {
        final = disposition.final || disposition.dnc;
        const max = maxAttemptsFor(disposition.code, c.rules, c.maxAttempts);
        const next = new Date(o.atMs + recycleDelayMs(disposition.code, c.rules));
        lead = await sql<{ time_zone: string | null; tz_candidates: string[] }>`
          UPDATE leads SET status = ${disposition.code}, final = ${final}, hopper_at = NULL,
                 next_eligible_at = CASE WHEN ${final} OR attempts >= ${max}
                                         THEN 'infinity'::timestamptz ELSE ${next} END,
                 updated_at = now()
           WHERE id = ${call.lead_id}
           RETURNING time_zone, tz_candidates`.execute(trx);
      } else {
        // The lead's outcome is the last agent's disposition: only read the zone (callbacks).
        lead = await sql<{ time_zone: string | null; tz_candidates: string[] }>`
          SELECT time_zone, tz_candidates FROM leads WHERE id = ${call.lead_id}`.execute(trx);
      }

      const log: NewLeadLogEntry[] = [
        {
          leadId: call.lead_id,
          kind: 'disposed',
          at,
          callId: call.id,
          agentId: numericAgent,
          detail:
            part === 'final'
              ? { code: disposition.code, auto: o.auto, final }
              : { code: disposition.code, auto: o.auto, final, handoff: true },
        },
      ];
      if (disposition.dnc) {
        await createDncRepo(trx).add({
          phone: call.phone,
          campaignId: call.campaign_id,
          addedBy: numericAgent,
          source: 'disposition',
          note: `disposition ${disposition.code} on call ${call.id}`,
        });
        log.push({
          leadId: call.lead_id,
          kind: 'dnc',
          at,
          callId: call.id,
          agentId: numericAgent,
          detail: { scope: 'campaign', campaignId: call.campaign_id, code: disposition.code },
        });
      }
      let callbackId: string | null = null;
      if (disposition.callback && o.callbackAtMs !== null) {
        const row = lead.rows[0];
        // The time was chosen in the lead's zone (the panel converts it); kept for display.
        const zone = row?.time_zone ?? row?.tz_candidates[0] ?? 'Etc/UTC';
        const cb = await createCallbacksRepo(trx).create({
          leadId: call.lead_id,
          campaignId: call.campaign_id,
          agentId: o.callbackAgentOnly ? numericAgent : null,
          dueAt: new Date(o.callbackAtMs),
          timeZone: zone,
          note: o.note,
          createdBy: numericAgent,
        });
        callbackId = cb.id;
        log.push({
          leadId: call.lead_id,
          kind: 'callback',
          at,
          callId: call.id,
          agentId: numericAgent,
          detail: {
            callbackId: cb.id,
            dueAtMs: o.callbackAtMs,
            agentOnly: o.callbackAgentOnly && numericAgent !== null,
            timeZone: zone,
          },
        });
      }
      await createLeadLogRepo(trx).append(log);
      return { callbackId };
    });
    const rec: DispositionRecord = {
      callId: call.id as CallId,
      leadId: call.lead_id as LeadId,
      code: disposition.code,
      dnc: disposition.dnc,
      callbackId: result?.callbackId ?? null,
      written: result !== null,
      part,
    };
    if (rec.written && disposition.dnc) {
      await this.d.dncCache?.add(call.phone, call.campaign_id).catch((err: unknown) => {
        // The dialer's periodic sync copies the row within a second anyway.
        this.d.logger.warn({ err, leadId: call.lead_id }, 'dnc cache not updated');
      });
    }
    if (rec.written) {
      this.d.logger.info(
        { callId: call.id, leadId: call.lead_id, code: disposition.code, auto: o.auto, part },
        'call disposed',
      );
    }
    return rec;
  }

  /**
   * True when the agent still owes a disposition for the call: its part (the call's, or the part
   * it handed over) has none, and the origination was not refused (a call that never left the
   * building has nothing to say). Without `agentId`: the call's own disposition.
   */
  async owesDisposition(callId: string, agentId: AgentId | null = null): Promise<boolean> {
    const call = await this.callRow(callId, agentId);
    if (!call) return false;
    const part = partOf(call, agentId);
    if (part === 'handoff') return call.handoff_disposition === null;
    if (part === null) return false;
    const r = await sql<{ owed: boolean }>`
      SELECT (disposition IS NULL AND outcome IS DISTINCT FROM 'ORIGINATE_FAILED') AS owed
        FROM call_log WHERE id = ${callId}`.execute(this.d.db);
    return r.rows[0]?.owed ?? false;
  }

  /** The call, and the asking agent's handed-over part of it if any. */
  private async callRow(callId: string, agentId: AgentId | null): Promise<CallRow | null> {
    const numeric = agentId !== null && /^\d{1,18}$/.test(agentId) ? agentId : null;
    const r = await sql<CallRow>`
      SELECT c.id, c.campaign_id::text AS campaign_id, c.lead_id::text AS lead_id, c.phone,
             c.agent_id::text AS agent_id, c.disposition,
             (h.call_id IS NOT NULL) AS handed_over, h.disposition AS handoff_disposition
        FROM call_log c
        LEFT JOIN call_handoffs h ON h.call_id = c.id AND h.agent_id = ${numeric}
       WHERE c.id = ${callId}`.execute(this.d.db);
    return r.rows[0] ?? null;
  }

  /** The campaign's wrap-up and recycle settings (cached a few seconds). */
  async campaign(campaignId: string): Promise<CampaignRules> {
    const now = this.d.clock.nowMs();
    const hit = this.campaignCache.get(campaignId);
    if (hit && now - hit.loadedAtMs < CAMPAIGN_CACHE_MS) return hit;
    const c = await this.d.campaigns.get(campaignId);
    if (!c) throw new NotFoundError(`campaign ${campaignId} does not exist`);
    const rules: Record<string, RecycleRule> = {};
    for (const r of await this.d.campaigns.recycleRules(campaignId)) {
      rules[r.status] = { delayS: r.delayS, maxAttempts: r.maxAttempts };
    }
    const v: CampaignRules = {
      wrapupMs: c.wrapupS * 1000,
      timeoutAction: c.wrapupTimeoutAction,
      defaultCode: c.wrapupDefaultDisposition,
      maxAttempts: c.maxAttempts,
      rules,
      loadedAtMs: now,
    };
    this.campaignCache.set(campaignId, v);
    return v;
  }
}

export interface WrapupSweeperDeps {
  store: StateStore;
  sessions: Pick<AgentSessionService, 'apply'>;
  dispositions: DispositionService;
  pendingPauses: PendingPauses;
  clock: Clock;
  logger: Logger;
}

/**
 * The wrap-up timeout, as a scheduled check (it runs in the api role, every second by default):
 * an agent in WRAPUP (or DEAD: the customer hung up and the agent did nothing) longer than its
 * campaign's wrapup_s gets the campaign's wrapup_timeout_action: 'disposition' records the
 * default disposition and makes the agent READY (PAUSED if it asked to pause after the call);
 * 'pause' records the default disposition too (the lead must not stay undecided) and pauses the
 * agent with code WRAPUP. wrapup_s = 0 means no timer.
 *
 * Idempotent and safe in several processes: the agent's move is a compare-and-set in the state
 * store (only one process wins; the others see IllegalTransitionError and skip), and the
 * disposition is written only when call_log has none.
 */
export class WrapupSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(private readonly d: WrapupSweeperDeps) {}

  /** Applies every timeout due at the clock's now; returns how many agents were moved. */
  async sweep(): Promise<number> {
    const now = this.d.clock.nowMs();
    let moved = 0;
    for (const a of await this.d.store.listAgents()) {
      if ((a.state !== 'WRAPUP' && a.state !== 'DEAD') || !a.campaignId) continue;
      let rules;
      try {
        rules = await this.d.dispositions.campaign(a.campaignId);
      } catch (err) {
        this.d.logger.warn({ err, agentId: a.agentId }, 'wrap-up check: campaign not readable');
        continue;
      }
      if (rules.wrapupMs <= 0 || now < a.sinceMs + rules.wrapupMs) continue;
      if (await this.timeOut(a, rules.timeoutAction)) moved += 1;
    }
    return moved;
  }

  private async timeOut(a: AgentStatus, action: 'disposition' | 'pause'): Promise<boolean> {
    try {
      if (a.state === 'DEAD') {
        await this.d.sessions.apply(
          a.agentId,
          { type: 'agent_hangup', wrapupMs: 0 },
          'system:wrapup-timeout',
        );
      }
      const pending = await this.d.pendingPauses.take(a.agentId);
      const r = await this.d.sessions.apply(
        a.agentId,
        { type: 'wrapup_timeout', action: action === 'pause' || pending ? 'pause' : 'ready' },
        'system:wrapup-timeout',
      );
      await this.effects(a.agentId, r.effects);
      return true;
    } catch (err) {
      // Another process (or the agent's own disposition) moved the agent first.
      if (err instanceof IllegalTransitionError || isConflict(err)) return false;
      throw err;
    }
  }

  private async effects(agentId: AgentId, effects: AgentEffect[]): Promise<void> {
    for (const e of effects) {
      if (e.type === 'auto_disposition' && e.callId) {
        await this.d.dispositions.autoDispose(e.callId, agentId);
      }
    }
  }

  /** Sweeps every `intervalMs` (default 1,000); a sweep never overlaps the previous one. */
  start(intervalMs = 1_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep().catch((err: unknown) => {
        this.d.logger.error({ err }, 'wrap-up sweep failed');
        return 0;
      });
      void this.running.finally(() => {
        this.running = null;
      });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}

function isConflict(err: unknown): boolean {
  return err instanceof RingsideError && err.code === 'CONFLICT';
}

/**
 * Moves an agent whose call ended without it hanging up (the customer hung up first) from INCALL
 * to DEAD, so the panel shows it and the disposition is owed. Listens to call.ended on the bus;
 * idempotent (compare-and-set; a second process sees the agent already DEAD and does nothing).
 * Runs in the api role.
 */
export async function startCustomerHangupWatcher(d: {
  bus: EventBus;
  store: StateStore;
  sessions: Pick<AgentSessionService, 'apply'>;
  logger: Logger;
}): Promise<Subscription> {
  return d.bus.subscribe({
    from: 'latest',
    onEvent: async (env) => {
      const e = env.event;
      if (e.type !== 'call.ended' || !e.agentId) return;
      const agent = await d.store.getAgent(e.agentId);
      if (agent?.state !== 'INCALL' || agent.callId !== e.callId) return;
      await d.sessions
        .apply(e.agentId, { type: 'customer_hangup' }, 'system:customer-hangup')
        .catch((err: unknown) => {
          if (err instanceof IllegalTransitionError || isConflict(err)) return;
          throw err;
        });
    },
    onError: (err) => d.logger.error({ err }, 'customer hang-up watcher failed on an event'),
  });
}

export interface SessionApiDeps {
  sessions: AgentSessionService;
  dispositions: DispositionService;
  pendingPauses: PendingPauses;
  store: StateStore;
  /** Takes down the agent's phone leg and bridge after a logout (telephony); optional. */
  endLeg?: (agentId: AgentId, legChannelId: string) => Promise<unknown>;
  /** Hangs up a customer whose agent logged out mid-call (telephony); optional. */
  hangupCall?: (callId: CallId) => Promise<unknown>;
  logger: Logger;
}

/**
 * The AgentSessionApi of the api role: the agent session service plus dispositions, the
 * "pause after this call" request and the effects the session service returns.
 *
 * Pause while INCALL, or in DEAD/WRAPUP of a call that owes its disposition, does not leave the
 * call: it is recorded and applied when the disposition ends the wrap-up (the answer is the
 * unchanged status); READY is refused there (409). Without this an agent could leave wrap-up by
 * pausing or going ready, and be offered the next call with the disposition never written.
 */
export function createAgentSessionApi(d: SessionApiDeps): AgentSessionApi {
  const carryOut = async (agentId: AgentId, effects: AgentEffect[]) => {
    for (const e of effects) {
      try {
        if (e.type === 'auto_disposition' && e.callId) {
          await d.dispositions.autoDispose(e.callId, agentId);
        } else if (e.type === 'end_agent_leg') {
          await d.endLeg?.(agentId, e.legChannelId);
        } else if (e.type === 'hangup_call') {
          await d.hangupCall?.(e.callId);
        }
      } catch (err) {
        d.logger.warn({ err, agentId, effect: e.type }, 'agent effect failed');
      }
    }
  };
  const run = async (
    agentId: AgentId,
    command: Parameters<AgentSessionService['apply']>[1],
    reason: string,
  ) => {
    const r = await d.sessions.apply(agentId, command, reason);
    await carryOut(agentId, r.effects);
    return r.status;
  };
  /** On the call, or in wrap-up of a call that still owes its disposition. */
  const mustWait = async (s: AgentStatus): Promise<boolean> => {
    if (s.state === 'INCALL') return true;
    if ((s.state === 'WRAPUP' || s.state === 'DEAD') && s.callId) {
      return d.dispositions.owesDisposition(s.callId, s.agentId);
    }
    return false;
  };
  return {
    login: (agentId, campaignId) => run(agentId, { type: 'login', campaignId }, 'agent'),
    async ready(agentId) {
      const s = await d.store.getAgent(agentId);
      if (s?.callId && (s.state === 'WRAPUP' || s.state === 'DEAD')) {
        if (await d.dispositions.owesDisposition(s.callId, agentId)) {
          throw new IllegalTransitionError(
            s.state,
            'ready',
            'submit the disposition of the call first',
          );
        }
      }
      return run(agentId, { type: 'ready' }, 'agent');
    },
    async pause(agentId, code, reason) {
      const s = await d.store.getAgent(agentId);
      if (reason === 'agent' && s?.callId && (await mustWait(s))) {
        if (code.length === 0 || code.length > 32) {
          throw new IllegalTransitionError(
            s.state,
            'pause',
            'a pause needs a code of 1-32 characters',
          );
        }
        await d.pendingPauses.set(agentId, code);
        return s;
      }
      return run(agentId, { type: 'pause', code }, reason);
    },
    async logout(agentId) {
      const r = await run(agentId, { type: 'logout' }, 'agent');
      await d.pendingPauses.take(agentId);
      return r;
    },
    dispose: (agentId, input) => d.dispositions.dispose(agentId, input),
  };
}
