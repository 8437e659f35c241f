import type { CampaignId, WhyNotDialedReason, WhyNotDialedResponse } from '@ringside/protocol';
import {
  effectiveWindow,
  maxAttemptsFor,
  parseTimeOfDay,
  windowDetail,
  type RecycleRule,
} from '../../domain/calling-window.js';
import { checkDial } from '../../domain/compliance.js';
import {
  ATTEMPT_WINDOW_MS,
  checkStateRules,
  fmtMinute,
  localDay,
  ruleSet,
  stateOrigins,
  stateWindowsOpenAtMs,
  type StateRule,
} from '../../domain/state-rules.js';
import { tzOrigins } from '../../domain/timezone/index.js';
import type { Clock } from '../../ports/clock.js';
import type { DialAttempts, WhyNotDialedSource } from '../../ports/compliance.js';
import type { HopperPosition } from '../../ports/hopper.js';

export interface WhyNotDialedDeps {
  /** The lead, its DNC entries and callbacks (PostgreSQL; adapters/postgres/why-not-dialed.ts). */
  source: WhyNotDialedSource;
  /** The state rules as the dialer has them (the table, or the dialer's cache). */
  stateRules: { list(): Promise<StateRule[]> };
  attempts: Pick<DialAttempts, 'recent'>;
  hopperPosition(campaignId: CampaignId, leadId: string): Promise<HopperPosition>;
  /**
   * The dialer's own DNC question (Redis sets, and the national registry where the campaign
   * scrubs it); without it only the internal and campaign lists in PostgreSQL are asked.
   */
  dncBlocked?(phone: string, campaignId: string): Promise<boolean>;
  /**
   * Whether the national DNC registry holds the number and the campaign scrubs it (the dialer's
   * registry, ports/national-dnc.ts); reported as its own list beside the internal ones.
   */
  nationalDncListed?(phone: string, campaignId: string): Promise<boolean>;
  clock: Clock;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * "Why is this lead not being dialed?": every rule holding the lead back now, from the functions
 * the dialer and the hopper filler run (checkDial, windowDetail, checkStateRules, maxAttemptsFor)
 * on the same inputs (the lead's candidate zones and states, its number's dials in the last 24 h
 * from Redis, the DNC lists, the campaign's window and recycle rules). Reads PostgreSQL: for the
 * screens (api role), never the dialing path.
 */
export class WhyNotDialed {
  constructor(private readonly d: WhyNotDialedDeps) {}

  /** Null when the lead does not exist. */
  async explain(leadId: string): Promise<WhyNotDialedResponse | null> {
    if (!/^\d{1,18}$/.test(leadId)) return null;
    const lead = await this.d.source.lead(leadId);
    if (!lead) return null;
    const now = this.d.clock.nowMs();
    const campaignId = lead.campaign_id as CampaignId;
    const reasons: WhyNotDialedReason[] = [];
    const add = (code: string, message: string, untilMs: number | null = null) =>
      reasons.push({ code, message, untilMs });

    const [rulesList, attemptsAtMs, dncRows, callbacks, hopper, dncBlocked, national] =
      await Promise.all([
        this.d.stateRules.list(),
        this.d.attempts.recent(lead.phone, now - ATTEMPT_WINDOW_MS),
        this.d.source.dncEntries(lead.phone, campaignId),
        this.d.source.openCallbacks(leadId),
        this.d.hopperPosition(campaignId, leadId),
        this.d.dncBlocked ? this.d.dncBlocked(lead.phone, campaignId) : Promise.resolve(false),
        this.d.nationalDncListed
          ? this.d.nationalDncListed(lead.phone, campaignId)
          : Promise.resolve(false),
      ]);
    const rules = ruleSet(rulesList);

    // Campaign and list.
    if (!lead.campaign_active) {
      add('CAMPAIGN_INACTIVE', `campaign ${lead.campaign_name} (${campaignId}) is not active`);
    }
    if (!lead.list_active)
      add('LIST_INACTIVE', `list ${lead.list_name} (${lead.list_id}) is not active`);
    if (lead.final) add('FINAL', `its status ${lead.status} is final: it is never dialed again`);

    // DNC: which list.
    const dnc: string[] = dncRows.map((d) =>
      d.campaign_id === null
        ? `internal (system-wide) list, since ${iso(d.added_at.getTime())} (${d.source})`
        : `campaign ${d.campaign_id}'s list, since ${iso(d.added_at.getTime())} (${d.source})`,
    );
    if (national) dnc.push('the national DNC registry (the campaign scrubs it)');
    else if (dnc.length === 0 && dncBlocked) dnc.push('national DNC registry');
    const onDnc = dnc.length > 0;
    if (onDnc) add('DNC', `the number is on a do-not-call list: ${dnc.join('; ')}`);

    // Time zones: the federal and campaign window in every candidate zone.
    const campaignWindow = {
      startMinute: parseTimeOfDay(lead.window_start),
      endMinute: parseTimeOfDay(lead.window_end),
    };
    const zones = lead.tz_candidates;
    const w = windowDetail(zones, campaignWindow, now);
    const origins = tzOrigins({
      phone: lead.phone,
      postalCode: lead.postal_code,
      country: lead.country,
    });
    const sourcesOf = (zone: string) =>
      origins.filter((o) => o.zones.includes(zone)).map((o) => `${o.source} ${o.value}`);
    if (zones.length === 0) {
      add(
        'TIME_ZONE_UNKNOWN',
        "the lead's time zone is unknown: it is never dialed until it is set",
      );
    } else if (!w.dialable) {
      const blocking = w.zones.find((z) => !z.inside);
      const eff = effectiveWindow(campaignWindow);
      const federal: StateRule = {
        state: '*',
        days: Array.from({ length: 7 }, () => eff),
        maxAttemptsPer24h: null,
        statute: '',
        note: '',
      };
      const opens = stateWindowsOpenAtMs(ruleSet([federal]), ['*'], zones, now);
      add(
        'CALLING_WINDOW',
        `it is ${blocking?.localTime ?? '?'} in ${blocking?.zone ?? '?'}, outside the calling ` +
          `window ${w.window} (08:00-21:00 and the campaign's)` +
          (zones.length > 1 ? `; every candidate zone must be inside it` : ''),
        opens,
      );
    }

    // State rules: windows, then the attempt caps (dials to this number in the last 24 h).
    const sOrigins = stateOrigins({
      phone: lead.phone,
      state: lead.state,
      postalCode: lead.postal_code,
      country: lead.country,
    });
    const states = [...new Set(sOrigins.map((o) => o.state))].sort();
    if (zones.length > 0) {
      const sv = checkStateRules({ rules, states, zones, atMs: now, attemptsAtMs });
      if (!sv.ok) add(sv.rule, sv.message, sv.retryAtMs);
      // A window rule hides the attempt cap behind it: report the cap too when it holds.
      if (!sv.ok && sv.rule === 'STATE_WINDOW') {
        const rest = checkStateRules({
          rules,
          states,
          zones,
          atMs: sv.retryAtMs ?? now,
          attemptsAtMs: attemptsAtMs.filter((t) => t > now - ATTEMPT_WINDOW_MS),
        });
        if (!rest.ok && rest.rule === 'STATE_ATTEMPTS')
          add(rest.rule, rest.message, rest.retryAtMs);
      }
    }

    // Attempts and recycle delay.
    const recycle: Record<string, RecycleRule> = {};
    for (const x of lead.rules)
      recycle[x.status] = { delayS: x.delay_s, maxAttempts: x.max_attempts };
    const max = maxAttemptsFor(lead.status, recycle, lead.max_attempts);
    if (!lead.final && lead.attempts >= max) {
      add(
        'MAX_ATTEMPTS',
        `it has had ${lead.attempts} of at most ${max} attempts (status ${lead.status})`,
      );
    }
    const nextMs = lead.next_eligible_at ? lead.next_eligible_at.getTime() : null;
    if (!lead.final && nextMs !== null && nextMs > now) {
      add(
        'RECYCLE_DELAY',
        lead.attempts === 0
          ? `held back until ${iso(nextMs)} (a state rule or a dial-time check deferred it)`
          : `its last call ended ${lead.status}: next attempt not before ${iso(nextMs)}`,
        nextMs,
      );
    } else if (!lead.final && lead.next_eligible_inf === 1 && lead.attempts < max) {
      add('RECYCLE_DELAY', 'it is held back with no next attempt time (its attempts were used up)');
    }

    // Callbacks.
    for (const cb of callbacks) {
      const due = cb.due_at.getTime();
      if (cb.agent_id !== null) {
        add(
          'CALLBACK_PENDING',
          `a callback for agent ${cb.agent_id} is due ${iso(due)}: that agent dials it, the dialer does not`,
          due,
        );
      } else if (due > now) {
        add('CALLBACK_PENDING', `a callback is due ${iso(due)}: the lead waits for it`, due);
      }
    }

    // Same verdict as the dialer's dial-time guard, for the summary.
    const verdict = checkDial({
      onDnc,
      timeZones: zones,
      window: campaignWindow,
      atMs: now,
      readyAgents: null,
      attempts: { made: lead.attempts, max },
      state: { rules, states, attemptsAtMs },
    });
    const blocking = reasons.length > 0 || !verdict.ok;
    if (hopper.position !== null) {
      add('IN_HOPPER', `queued in the hopper at position ${hopper.position} of ${hopper.size}`);
    } else if (hopper.leased) {
      add('IN_HOPPER', 'a dialer has just taken it from the hopper');
    } else if (lead.hopper_at) {
      add('IN_HOPPER', 'marked as taken by the hopper filler');
    }

    // The state rules of today, in the deciding zone.
    const decidingZone = w.decidingZone;
    const day = decidingZone ? localDay(decidingZone, now) : null;
    return {
      leadId: lead.id,
      atMs: now,
      dialable: !blocking,
      reasons,
      timeZone: {
        candidates: w.zones.map((z) => ({ ...z, sources: sourcesOf(z.zone) })),
        window: zones.length > 0 ? w.window : null,
        decidingZone,
      },
      states: states.map((s) => {
        const rule = rules.get(s);
        const d = rule && day !== null ? rule.days[day] : null;
        return {
          state: s,
          sources: sOrigins.filter((o) => o.state === s).map((o) => o.source),
          rule: rule
            ? {
                window: d ? `${fmtMinute(d.startMinute)}-${fmtMinute(d.endMinute)}` : 'none',
                maxAttemptsPer24h: rule.maxAttemptsPer24h,
                statute: rule.statute,
              }
            : null,
        };
      }),
      attempts: {
        made: lead.attempts,
        max,
        last24h: attemptsAtMs.length,
        nextEligibleAtMs: nextMs,
      },
      dnc,
      hopper: { position: hopper.position, leased: hopper.leased, size: hopper.size },
    };
  }
}
