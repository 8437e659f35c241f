import type { CallEvent } from '../../domain/call/index.js';
import type { CampaignRun, Tracked } from './campaign-run.js';
import type { DialerAri } from '../../ports/dialer.js';
import type { CallTalking, VoicemailOutcome } from '@ringside/protocol';
import { DialerVoicemail } from '../voicemail/dialer-voicemail.js';

/** A machine message is hung up after at most this long. */
export const MACHINE_MESSAGE_MAX_MS = 60_000;

/**
 * The calls that do not go to the next ready agent: a MACHINE verdict given the campaign's
 * message (then hung up), and a manual dial answered (straight to the agent who placed it).
 */
export class Machines {
  /** The voicemail drop and the AMD review (services/voicemail), when the dialer has them. */
  private readonly vm: DialerVoicemail | null;

  constructor(
    private readonly run: CampaignRun,
    private readonly apply: (t: Tracked, e: CallEvent) => Promise<void>,
  ) {
    const d = run.d;
    this.vm = d.voicemail
      ? new DialerVoicemail({
          ...d.voicemail,
          ari: (serverId) => d.ari(serverId),
          clock: d.clock,
          timers: d.timers,
          logger: run.log,
          hangup: async (callId) => {
            const t = run.calls.get(callId);
            if (t) await apply(t, { type: 'machine_done' });
          },
        })
      : null;
  }

  /** A MACHINE verdict acted on (hang-up or message): the AMD review's share is recorded. */
  async review(t: Tracked): Promise<void> {
    await this.vm?.review(this.dropCall(t));
  }

  /**
   * A hang-up of a MACHINE verdict being recorded for review with no message: held
   * REVIEW_LISTEN_MS first (true: the hang-up is armed for later, not done now).
   */
  holdForReview(t: Tracked, arm: (ms: number) => void): boolean {
    const ms = this.vm?.holdMs(t.call.callId) ?? 0;
    if (ms <= 0 || t.call.phase !== 'machine') return false;
    arm(ms);
    return true;
  }

  /** What talk detection heard on a call (its voicemail drop listens for the greeting's end). */
  async talking(e: CallTalking): Promise<void> {
    await this.vm?.talking(e.callId, e.talking, e.atMs);
  }

  /** The driver stopped (lease lost): its drops' timers stop; the new holder acts on the verdict. */
  stop(): void {
    this.vm?.stop();
  }

  /** The call ended: its drop's outcome (null: none) and its review recording closed. */
  async ended(t: Tracked, atMs: number): Promise<VoicemailOutcome | null> {
    return this.vm ? this.vm.ended(this.dropCall(t), atMs) : null;
  }

  private dropCall(t: Tracked) {
    const { callId, campaignId, leadId } = t.call;
    return { callId, campaignId, leadId, serverId: t.serverId };
  }

  /** Leaves the campaign's message; false when it could not start (hung up instead). */
  async playMessage(t: Tracked): Promise<boolean> {
    const { d, campaign: c, log } = this.run;
    if (this.vm) {
      if (await this.vm.drop(this.dropCall(t))) return true;
      log.warn({ callId: t.call.callId }, 'voicemail drop could not start: hanging up');
      await this.apply(t, { type: 'play_failed' });
      return false;
    }
    const ari = d.ari(t.serverId);
    if (!ari || !c.machineMessageAudio) return false;
    const { callId, leadId } = t.call;
    const playbackId = `mm-${callId}`;
    try {
      await ari.playOnChannel(callId, c.machineMessageAudio, playbackId);
    } catch (err) {
      log.warn({ err, callId }, 'machine message failed: hanging up');
      await this.apply(t, { type: 'play_failed' });
      return false;
    }
    log.info({ callId, leadId }, 'machine: leaving the campaign message');
    this.pollPlayback(t, ari, playbackId, d.clock.nowMs() + MACHINE_MESSAGE_MAX_MS);
    return true;
  }

  /** Hangs up once the machine message has played (ARI answers 404 for a finished playback). */
  private pollPlayback(t: Tracked, ari: DialerAri, playbackId: string, untilMs: number): void {
    t.cancelHangup = this.run.d.timers.after(1_000, () => {
      t.cancelHangup = null;
      if (t.call.phase !== 'machine') return;
      const done = () => this.apply(t, { type: 'machine_done' });
      void ari
        .getPlayback(playbackId)
        .then((pb) => {
          const state = (pb as { state?: string } | undefined)?.state;
          if (state === 'done' || state === 'failed' || this.run.d.clock.nowMs() >= untilMs)
            return done();
          this.pollPlayback(t, ari, playbackId, untilMs);
          return undefined;
        })
        .catch(done);
    });
  }

  /** A manual dial answered: straight to the agent who placed it (already INCALL). */
  async bridgeManual(t: Tracked): Promise<void> {
    const { d, log } = this.run;
    const { callId, agentId } = t.call;
    const agent = agentId ? await d.store.getAgent(agentId) : null;
    const ari = d.ari(t.serverId);
    if (!agent?.bridgeId || !ari) {
      log.warn({ callId, agentId }, 'manual call answered but its agent has no leg');
      await this.apply(t, { type: 'give_up' });
      return;
    }
    try {
      await ari.addChannel(agent.bridgeId, callId);
    } catch (err) {
      log.warn({ err, callId }, 'manual call could not reach its agent');
      await this.apply(t, { type: 'give_up' });
      return;
    }
    await this.apply(t, { type: 'bridged', agentId: null, atMs: d.clock.nowMs() });
  }
}
