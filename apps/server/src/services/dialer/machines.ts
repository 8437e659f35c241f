import type { CallEvent } from '../../domain/call/index.js';
import type { CampaignRun, Tracked } from './campaign-run.js';
import type { DialerAri } from '../../ports/dialer.js';

/** A machine message is hung up after at most this long. */
export const MACHINE_MESSAGE_MAX_MS = 60_000;

/**
 * The calls that do not go to the next ready agent: a MACHINE verdict given the campaign's
 * message (then hung up), and a manual dial answered (straight to the agent who placed it).
 */
export class Machines {
  constructor(
    private readonly run: CampaignRun,
    private readonly apply: (t: Tracked, e: CallEvent) => Promise<void>,
  ) {}

  /** Leaves the campaign's message; false when it could not start (hung up instead). */
  async playMessage(t: Tracked): Promise<boolean> {
    const { d, campaign: c, log } = this.run;
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
