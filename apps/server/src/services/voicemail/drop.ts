import type { CallId, CampaignId, DomainEvent, LeadId, VoicemailOutcome } from '@ringside/protocol';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { Timers } from '../../ports/dialer.js';
import { isAriNotFound } from '../../ports/telephony-errors.js';
import {
  dropTransition,
  playedToEnd,
  startDrop,
  type DropEffect,
  type DropEvent,
  type DropSettings,
  type DropState,
  type DropTimer,
} from './drop-rules.js';

/**
 * The voicemail drop as the dialer runs it (docs/recording.md, "Voicemail drop"): for a MACHINE
 * verdict given the campaign's message, talk detection on the customer's channel, the message
 * once the greeting is over (drop-rules.ts decides when), the hang-up, and the outcome
 * (`call.voicemail`, published once, and call_log.vm_outcome). The lead's status takes the
 * outcome when the call ends (outcomes.ts).
 */

/** TALK_DETECT's value: 1,500 ms of silence ends talking (a greeting's pauses are shorter). */
export const TALK_DETECT_VALUE = '1500';
/** How often the message's playback is looked at, ms. */
export const PLAYBACK_POLL_MS = 500;
/** A message's playback is given up on this long after its length (or 60 s unknown), ms. */
export const PLAYBACK_SLACK_MS = 15_000;

/** What one campaign's drops use: its settings and its message. */
export interface DropPlan {
  settings: DropSettings;
  /** The media URI Asterisk plays (sound:http://.../media/vm/<token>.wav, or the campaign's). */
  media: string;
  /** vm_messages.id, null for a plain media URI. */
  messageId: string | null;
  /** The message's length, ms (null: unknown). */
  messageMs: number | null;
}

/** The ARI operations a drop needs (AriRestClient has them). */
export interface DropAri {
  setVariable?(channelId: string, variable: string, value: string): Promise<void>;
  playOnChannel(channelId: string, media: string | string[], playbackId?: string): Promise<unknown>;
  getPlayback(playbackId: string): Promise<unknown>;
}

/** Where drops' outcomes go. */
export interface DropSink {
  /** call_log.vm_outcome of the call. */
  recordOutcome(callId: CallId, outcome: VoicemailOutcome): Promise<void>;
  publish(event: DomainEvent): Promise<unknown>;
}

export interface DropCall {
  callId: CallId;
  campaignId: CampaignId;
  leadId: LeadId;
  serverId: string;
}

export interface VoicemailDropsOptions {
  ari(serverId: string): DropAri | null;
  sink: DropSink;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Hangs the call up (the dialer's call state machine: machine_done). */
  hangup(callId: CallId): Promise<void>;
}

interface Run {
  call: DropCall;
  plan: DropPlan;
  state: DropState;
  timers: Map<DropTimer, () => void>;
  cancelPoll: (() => void) | null;
  /** Events of this drop, applied one at a time. */
  chain: Promise<void>;
}

export class VoicemailDrops {
  private readonly runs = new Map<CallId, Run>();
  /** Outcomes of drops whose call has not ended yet, and of the ones just ended. */
  private readonly outcomes = new Map<CallId, VoicemailOutcome>();

  constructor(private readonly o: VoicemailDropsOptions) {}

  /** A drop in progress for the call. */
  has(callId: CallId): boolean {
    return this.runs.has(callId);
  }

  /** Begins the drop; false when it cannot (no ARI client): the caller hangs up. */
  async start(call: DropCall, plan: DropPlan): Promise<boolean> {
    if (this.runs.has(call.callId)) return true;
    if (!this.o.ari(call.serverId)) return false;
    const step = startDrop(plan.settings, this.o.clock.nowMs());
    const run: Run = {
      call,
      plan,
      state: step.state,
      timers: new Map(),
      cancelPoll: null,
      chain: Promise.resolve(),
    };
    this.runs.set(call.callId, run);
    this.o.logger.info(
      { callId: call.callId, leadId: call.leadId, wait: plan.settings.wait },
      'voicemail drop started',
    );
    await this.effects(run, step.effects);
    return true;
  }

  /** Talk detection on the call's channel (call.talking). */
  talking(callId: CallId, talking: boolean, atMs: number): Promise<void> {
    return this.feed(callId, { type: talking ? 'talk_started' : 'talk_finished', atMs });
  }

  /**
   * The call ended: the drop ends with it. Returns the drop's outcome (for the lead's status),
   * or null when the call had no drop.
   */
  async ended(callId: CallId, atMs: number): Promise<VoicemailOutcome | null> {
    await this.feed(callId, { type: 'ended', atMs });
    const out = this.outcomes.get(callId) ?? null;
    this.outcomes.delete(callId);
    return out;
  }

  /** Stops every timer (the driver lost its lease or stopped). */
  stop(): void {
    for (const run of this.runs.values()) this.clear(run);
    this.runs.clear();
  }

  private feed(callId: CallId, e: DropEvent): Promise<void> {
    const run = this.runs.get(callId);
    if (!run) return Promise.resolve();
    run.chain = run.chain
      .then(async () => {
        const step = dropTransition(run.plan.settings, run.state, e);
        run.state = step.state;
        await this.effects(run, step.effects);
      })
      .catch((err: unknown) => this.o.logger.error({ err, callId }, 'voicemail drop step failed'));
    return run.chain;
  }

  private async effects(run: Run, effects: DropEffect[]): Promise<void> {
    const { callId } = run.call;
    for (const e of effects) {
      switch (e.kind) {
        case 'talkDetect':
          await this.talkDetect(run);
          break;
        case 'arm':
          run.timers.get(e.timer)?.();
          run.timers.set(
            e.timer,
            this.o.timers.after(e.ms, () => {
              run.timers.delete(e.timer);
              void this.feed(callId, { type: 'timer', timer: e.timer, atMs: this.o.clock.nowMs() });
            }),
          );
          break;
        case 'cancel':
          run.timers.get(e.timer)?.();
          run.timers.delete(e.timer);
          break;
        case 'play':
          await this.play(run);
          break;
        case 'hangup':
          await this.o.hangup(callId);
          break;
        case 'outcome':
          await this.outcome(run, e.outcome, e.played, e.waitedMs);
          break;
      }
    }
  }

  private async talkDetect(run: Run): Promise<void> {
    const { callId, serverId } = run.call;
    const ari = this.o.ari(serverId);
    try {
      if (!ari?.setVariable) throw new Error('no talk detection on this ARI client');
      await ari.setVariable(callId, 'TALK_DETECT(set)', TALK_DETECT_VALUE);
    } catch (err) {
      // Without talk detection the end cannot be heard: the message starts now.
      this.o.logger.warn({ err, callId }, 'talk detection not set: leaving the message now');
      void this.feed(callId, { type: 'timer', timer: 'quiet', atMs: this.o.clock.nowMs() });
    }
  }

  private async play(run: Run): Promise<void> {
    const { callId, serverId } = run.call;
    const ari = this.o.ari(serverId);
    const playbackId = `vm-${callId}`;
    try {
      if (!ari) throw new Error('no ARI client for the call');
      await ari.playOnChannel(callId, run.plan.media, playbackId);
    } catch (err) {
      this.o.logger.warn({ err, callId }, 'voicemail message failed to start');
      void this.feed(callId, { type: 'play_failed', atMs: this.o.clock.nowMs() });
      return;
    }
    this.o.logger.info(
      { callId, waitedMs: this.o.clock.nowMs() - run.state.startedAtMs },
      'voicemail message playing',
    );
    const started = run.state.playStartedAtMs ?? this.o.clock.nowMs();
    const untilMs = started + (run.plan.messageMs ?? 60_000) + PLAYBACK_SLACK_MS;
    this.poll(run, ari, playbackId, started, untilMs);
  }

  /** Looks at the playback until it is over (ARI answers 404 for a finished playback). */
  private poll(run: Run, ari: DropAri, playbackId: string, startedAtMs: number, untilMs: number) {
    run.cancelPoll = this.o.timers.after(PLAYBACK_POLL_MS, () => {
      run.cancelPoll = null;
      if (run.state.phase !== 'playing') return;
      const over = (failed: boolean) => {
        const now = this.o.clock.nowMs();
        const complete = !failed && playedToEnd(startedAtMs, now, run.plan.messageMs);
        return this.feed(run.call.callId, { type: 'played', complete, atMs: now });
      };
      void ari
        .getPlayback(playbackId)
        .then((pb) => {
          const state = (pb as { state?: string } | undefined)?.state;
          if (state === 'done' || state === 'failed') return over(state === 'failed');
          if (this.o.clock.nowMs() >= untilMs) return over(false);
          this.poll(run, ari, playbackId, startedAtMs, untilMs);
          return undefined;
        })
        .catch((err: unknown) => (isAriNotFound(err) ? over(false) : over(true)));
    });
  }

  private async outcome(
    run: Run,
    outcome: VoicemailOutcome,
    played: boolean,
    waitedMs: number | null,
  ): Promise<void> {
    const { callId, campaignId, leadId } = run.call;
    this.clear(run);
    this.runs.delete(callId);
    this.outcomes.set(callId, outcome);
    this.o.logger.info({ callId, leadId, outcome, waitedMs }, 'voicemail drop ended');
    await this.o.sink
      .publish({
        type: 'call.voicemail',
        callId,
        campaignId,
        leadId,
        outcome,
        waitedMs,
        played,
        messageId: run.plan.messageId,
        atMs: this.o.clock.nowMs(),
      })
      .catch((err: unknown) =>
        this.o.logger.error({ err, callId }, 'call.voicemail not published'),
      );
    await this.o.sink
      .recordOutcome(callId, outcome)
      .catch((err: unknown) =>
        this.o.logger.error({ err, callId }, 'voicemail outcome not written to call_log'),
      );
  }

  private clear(run: Run): void {
    for (const cancel of run.timers.values()) cancel();
    run.timers.clear();
    run.cancelPoll?.();
    run.cancelPoll = null;
  }
}
