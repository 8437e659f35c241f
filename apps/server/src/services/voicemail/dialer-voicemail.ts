import type { CallId, CampaignId, DomainEvent, VoicemailOutcome } from '@ringside/protocol';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { Timers } from '../../ports/dialer.js';
import type { StoredDropPlan, VoicemailStore } from '../../ports/voicemail.js';
import { AmdReview, REVIEW_LISTEN_MS, type ReviewAri } from './amd-review.js';
import { DEFAULT_QUIET_MS } from './drop-rules.js';
import { VoicemailDrops, type DropAri, type DropCall } from './drop.js';

/**
 * What one campaign driver's machines (services/dialer/machines.ts) do for voicemail: the drop
 * (drop.ts) and the AMD review recording (amd-review.ts), with the campaign's plan read from the
 * store at most every PLAN_TTL_MS.
 */

/** A campaign's plan is re-read after this long, ms (settings changes apply within it). */
export const PLAN_TTL_MS = 5_000;

/** What the dialer role gives the drivers (DriverDeps.voicemail). */
export interface VoicemailDeps {
  store: VoicemailStore;
  publish(event: DomainEvent): Promise<unknown>;
}

export interface DialerVoicemailOptions extends VoicemailDeps {
  ari(serverId: string): (DropAri & ReviewAri) | null;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  hangup(callId: CallId): Promise<void>;
}

export class DialerVoicemail {
  private readonly drops: VoicemailDrops;
  private readonly reviews: AmdReview;
  private readonly plans = new Map<CampaignId, { plan: StoredDropPlan; atMs: number }>();
  /** Calls whose hang-up was held for the review already, or that had a drop (never held). */
  private readonly held = new Set<CallId>();

  constructor(private readonly o: DialerVoicemailOptions) {
    this.drops = new VoicemailDrops({
      ari: o.ari,
      sink: { recordOutcome: (c, x) => o.store.recordOutcome(c, x), publish: o.publish },
      clock: o.clock,
      timers: o.timers,
      logger: o.logger,
      hangup: o.hangup,
    });
    this.reviews = new AmdReview({
      ari: o.ari,
      store: o.store,
      publish: o.publish,
      clock: o.clock,
      timers: o.timers,
      logger: o.logger,
    });
  }

  private async plan(campaignId: CampaignId): Promise<StoredDropPlan> {
    const now = this.o.clock.nowMs();
    const hit = this.plans.get(campaignId);
    if (hit && now - hit.atMs < PLAN_TTL_MS) return hit.plan;
    const plan = await this.o.store.plan(campaignId);
    this.plans.set(campaignId, { plan, atMs: now });
    return plan;
  }

  /** Starts the drop; false when the campaign has no message or no ARI client (hang up). */
  async drop(call: DropCall): Promise<boolean> {
    let plan: StoredDropPlan;
    try {
      plan = await this.plan(call.campaignId);
    } catch (err) {
      this.o.logger.error({ err, callId: call.callId }, 'voicemail plan not read');
      return false;
    }
    if (plan.media === null) return false;
    // The drop's own hang-up (after the message) is not held for the review.
    this.held.add(call.callId);
    const { wait, maxWaitMs, noBeepAction, media, messageId, messageMs } = plan;
    return this.drops.start(call, {
      settings: { wait, maxWaitMs, quietMs: DEFAULT_QUIET_MS, noBeepAction },
      media,
      messageId,
      messageMs,
    });
  }

  /** A MACHINE verdict acted on: recorded for the AMD review when the share picks it. */
  async review(call: DropCall): Promise<void> {
    try {
      const plan = await this.plan(call.campaignId);
      await this.reviews.maybeStart(call, plan.amdReviewPct);
    } catch (err) {
      this.o.logger.warn({ err, callId: call.callId }, 'AMD review not started');
    }
  }

  /** How long to hold a hang-up for the review (0: do not), once per call. */
  holdMs(callId: CallId): number {
    if (!this.reviews.recording(callId) || this.held.has(callId)) return 0;
    this.held.add(callId);
    return REVIEW_LISTEN_MS;
  }

  talking(callId: CallId, talking: boolean, atMs: number): Promise<void> {
    return this.drops.talking(callId, talking, atMs);
  }

  async ended(call: DropCall, atMs: number): Promise<VoicemailOutcome | null> {
    this.held.delete(call.callId);
    const outcome = await this.drops.ended(call.callId, atMs);
    await this.reviews.ended(call, atMs);
    return outcome;
  }

  stop(): void {
    this.drops.stop();
  }
}
