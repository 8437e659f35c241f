import {
  zoneClockHhmm,
  type AgentId,
  type CallId,
  type DispositionBody,
  type LeadId,
} from '@ringside/protocol';
import { maxAttemptsFor, recycleDelayMs, type RecycleRule } from '../../domain/calling-window.js';
import { IllegalTransitionError, NotFoundError, ValidationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type {
  AgentDeskReads,
  DispositionCall,
  DispositionCodes,
  DispositionFlags,
  DispositionLedger,
  DispositionPart,
  AgentTransitions,
  DncListener,
  PendingPauses,
  WrapupSettingsSource,
} from '../../ports/agents.js';
import type { Clock } from '../../ports/clock.js';
import type { AgentStatus, StateStore } from '../../ports/state-store.js';

/** A callback may be scheduled at most this far ahead (ms): a year. */
const MAX_CALLBACK_AHEAD_MS = 366 * 24 * 3600 * 1000;
/** Campaign settings are re-read after this long (ms), so an admin's change applies quickly. */
const CAMPAIGN_CACHE_MS = 5_000;

export interface DispositionServiceDeps {
  store: StateStore;
  sessions: AgentTransitions;
  /** Where the disposition is written (adapters/postgres/call-dispositions.ts). */
  ledger: DispositionLedger;
  dispositions: DispositionCodes;
  campaigns: WrapupSettingsSource;
  pendingPauses: PendingPauses;
  /** The dialer's Redis DNC sets, told right after the dnc row is written (no lag at dial time). */
  dncCache?: DncListener;
  /** A lead's callable hours, so a callback outside them is refused (optional). */
  callbackHours?: Pick<AgentDeskReads, 'callableHours'>;
  clock: Clock;
  logger: Logger;
}

/** The part of the call the agent owes a disposition for; null: it did not handle the call. */
function partOf(call: DispositionCall, agentId: AgentId | null): DispositionPart | null {
  if (call.agentId === null || agentId === null || call.agentId === agentId) return 'final';
  return call.handedOver ? 'handoff' : null;
}

/** A campaign's wrap-up and recycle settings, as the disposition and the wrap-up timeout use them. */
export interface CampaignRules {
  wrapupMs: number;
  timeoutAction: 'disposition' | 'pause';
  defaultCode: string;
  maxAttempts: number;
  /** Wrap-up extensions an agent may take per call (0: none), and the ms each adds. */
  extensionsAllowed: number;
  extensionMs: number;
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
  part: DispositionPart;
}

interface RecordOptions {
  agentId: AgentId | null;
  callback: { atMs: number; agentOnly: boolean; note: string } | null;
  auto: boolean;
  atMs: number;
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
    const call = await this.d.ledger.call(input.callId, agentId);
    if (!call) throw new NotFoundError(`call ${input.callId} has no record`);
    const part = partOf(call, agentId);
    if (part === null) {
      throw new IllegalTransitionError(agent.state, 'dispose', 'not your call');
    }
    const disposition = await this.d.dispositions.findByCode(call.campaignId, input.code);
    if (!disposition) {
      throw new ValidationError(`code: ${input.code} is not a disposition of this campaign`, [
        { path: 'code', message: 'unknown disposition code' },
      ]);
    }
    const now = this.d.clock.nowMs();
    if (disposition.callback && input.callbackAtMs !== undefined) {
      await this.checkCallableHours(call, input.callbackAtMs);
    }
    const rec = await this.record(call, part, disposition, {
      agentId,
      callback: disposition.callback
        ? {
            atMs: callbackTime(input.callbackAtMs, now),
            agentOnly: input.callbackAgentOnly ?? true,
            note: input.note ?? '',
          }
        : null,
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
   * A callback must fall inside the lead's callable hours: the campaign's calling window in the
   * lead's time zone (ValidationError on callbackAtMs naming them). Without the reader, or a lead
   * with no zone, the dial-time check is the only one.
   */
  private async checkCallableHours(call: DispositionCall, atMs: number): Promise<void> {
    const h = await this.d.callbackHours?.callableHours(call.leadId, call.campaignId);
    if (!h?.zone) return;
    const local = zoneClockHhmm(h.zone, atMs);
    if (local === null || (local >= h.start && local < h.end)) return;
    const message = `outside the lead's callable hours ${h.start}-${h.end} (${h.zone})`;
    throw new ValidationError(`callbackAtMs: ${local} is ${message}`, [
      { path: 'callbackAtMs', message },
    ]);
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
    const call = await this.d.ledger.call(callId, agentId);
    if (!call) return null;
    const part = partOf(call, agentId);
    if (part === null) return null;
    const c = await this.campaign(call.campaignId);
    const found = await this.d.dispositions.findByCode(call.campaignId, c.defaultCode);
    if (!found) {
      this.d.logger.warn(
        { callId, campaignId: call.campaignId, code: c.defaultCode },
        'default disposition is not defined; recorded as it is',
      );
    }
    const disposition = found ?? { code: c.defaultCode, dnc: false, callback: false, final: false };
    return this.record(call, part, disposition, {
      agentId,
      callback: null,
      auto: true,
      atMs: this.d.clock.nowMs(),
    });
  }

  private async record(
    call: DispositionCall,
    part: DispositionPart,
    disposition: DispositionFlags,
    o: RecordOptions,
  ): Promise<DispositionRecord> {
    const c = await this.campaign(call.campaignId);
    const result = await this.d.ledger.write({
      call,
      part,
      code: disposition.code,
      dnc: disposition.dnc,
      final: part === 'final' && (disposition.final || disposition.dnc),
      agentId: o.agentId,
      auto: o.auto,
      atMs: o.atMs,
      maxAttempts: maxAttemptsFor(disposition.code, c.rules, c.maxAttempts),
      nextEligibleAtMs: o.atMs + recycleDelayMs(disposition.code, c.rules),
      callback: o.callback,
    });
    const rec: DispositionRecord = {
      callId: call.id as CallId,
      leadId: call.leadId as LeadId,
      code: disposition.code,
      dnc: disposition.dnc,
      callbackId: result?.callbackId ?? null,
      written: result !== null,
      part,
    };
    if (rec.written && disposition.dnc) {
      await this.d.dncCache?.add(call.phone, call.campaignId).catch((err: unknown) => {
        // The dialer's periodic sync copies the row within a second anyway.
        this.d.logger.warn({ err, leadId: call.leadId }, 'dnc cache not updated');
      });
    }
    if (rec.written) {
      this.d.logger.info(
        { callId: call.id, leadId: call.leadId, code: disposition.code, auto: o.auto, part },
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
    const call = await this.d.ledger.call(callId, agentId);
    if (!call) return false;
    const part = partOf(call, agentId);
    if (part === 'handoff') return call.handoffDisposition === null;
    if (part === null) return false;
    return this.d.ledger.owesFinal(callId);
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
      extensionsAllowed: c.wrapupExtensions ?? 0,
      extensionMs: (c.wrapupExtensionS ?? 30) * 1000,
      rules,
      loadedAtMs: now,
    };
    this.campaignCache.set(campaignId, v);
    return v;
  }
}

/** A callback disposition's time: required, in the future and within a year (ValidationError). */
function callbackTime(callbackAtMs: number | undefined, nowMs: number): number {
  if (callbackAtMs === undefined) {
    throw new ValidationError('callbackAtMs: a callback disposition needs a time', [
      { path: 'callbackAtMs', message: 'required for a callback disposition' },
    ]);
  }
  if (callbackAtMs <= nowMs || callbackAtMs > nowMs + MAX_CALLBACK_AHEAD_MS) {
    throw new ValidationError('callbackAtMs: must be in the future, within a year', [
      { path: 'callbackAtMs', message: 'must be in the future, within a year' },
    ]);
  }
  return callbackAtMs;
}
