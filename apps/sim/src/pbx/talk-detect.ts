/**
 * TALK_DETECT on simulated customer channels, as Asterisk's func_talkdetect does it: setting
 * `TALK_DETECT(set)` (value: `[silence ms[,energy threshold]]`, default 2,500 ms) through ARI's
 * setChannelVar attaches a detector to what the channel hears from its far end. The first voiced
 * frame (20 ms) sends ChannelTalkingStarted; once the speech has been silent for the silence
 * threshold, ChannelTalkingFinished with `duration` in ms: the time since that first voiced frame
 * minus the silence threshold, as Asterisk computes it (about the talk's length). `TALK_DETECT(remove)` detaches it. Setting the
 * function sends no ChannelVarset (a dialplan function, not a variable).
 *
 * What the customer says comes from the call's plan (customers.ts) and sim-customers' dialplan
 * (customer-calls.ts): a human's "hello" (hello-world, after 0.5 s and silence/1 from the
 * answer); a machine's greeting from 0.5 s after the answer to the plan's greetingMs (the
 * reference profile: 9.5 s); sim-customers-talking's "hello", then its talk until it hangs up.
 * Other channels say nothing the detector hears.
 */
import { msg, type AriReply, type PbxCore } from './core.js';
import { SimChannel } from './model.js';
import type { SimTimer } from './scheduler.js';

/** Asterisk's default silence before talking is over, ms. */
export const TALK_DETECT_SILENCE_MS = 2500;
/** One 20 ms voice frame: talking starts when the first voiced frame is read. */
const FRAME_MS = 20;
/** From the answer to the Playback of the greeting (customer-calls.ts greetStart). */
const GREETING_START_MS = 500;
/** The silence/1 before a human's or the talking customer's "hello". */
const HELLO_SILENCE_MS = 1000;

interface Watch {
  silenceMs: number;
  timers: SimTimer[];
  /** ChannelTalkingStarted sent, ChannelTalkingFinished not yet: the talk's start, sim ms. */
  talkingSinceMs: number | null;
}

/** A stretch of speech, absolute sim ms. */
export interface SpeechSpan {
  startMs: number;
  endMs: number;
}

export class TalkDetect {
  private readonly watches = new Map<SimChannel, Watch>();

  constructor(private readonly core: PbxCore) {
    core.onEvent((ev) => {
      if (ev.type !== 'ChannelDestroyed') return;
      const id = (ev.channel as { id?: unknown } | undefined)?.id;
      for (const [c, w] of this.watches) {
        if (c.id === id || c.destroyed) this.stop(c, w);
      }
    });
  }

  /** Whether setChannelVar's `variable` is TALK_DETECT(set|remove) (answered by `ariSet`). */
  static handles(variable: string): boolean {
    return /^TALK_DETECT\((set|remove)\)$/i.test(variable);
  }

  /** POST /channels/{id}/variable for TALK_DETECT(set) and TALK_DETECT(remove). */
  ariSet(id: string, variable: string, value: string): AriReply {
    const ch = this.core.stasisChannel(id, false);
    if (!(ch instanceof SimChannel)) return ch;
    const remove = /\(remove\)$/i.test(variable);
    if (remove) {
      const w = this.watches.get(ch);
      if (w) this.stop(ch, w);
      return { status: 204 };
    }
    const [silenceRaw = '', energyRaw = ''] = value.split(',').map((s) => s.trim());
    const silenceMs = silenceRaw === '' ? TALK_DETECT_SILENCE_MS : Number(silenceRaw);
    const energy = energyRaw === '' ? 256 : Number(energyRaw);
    // func_talkdetect refuses a threshold it cannot parse (the write fails: 500 from ARI).
    if (!Number.isInteger(silenceMs) || silenceMs < 1 || !Number.isInteger(energy) || energy < 1) {
      return msg(500, 'Failed to execute function');
    }
    this.watch(ch, silenceMs);
    return { status: 204 };
  }

  /** Channels with a detector attached (tests). */
  watching(ch: SimChannel): boolean {
    return this.watches.has(ch);
  }

  /** What the channel's far end says from now on (see the header), merged across short gaps. */
  speech(ch: SimChannel, mergeGapMs: number): SpeechSpan[] {
    const call = ch.call;
    if (!call || ch !== call.one || call.answeredAtMs === null || call.endedAtMs !== null) {
      return [];
    }
    const ans = call.answeredAtMs;
    const { plan } = call;
    const sounds = this.core.opts.soundDurationsMs;
    const spans: SpeechSpan[] = [];
    const helloAt = ans + GREETING_START_MS + HELLO_SILENCE_MS;
    if (call.script === 'talking') {
      const helloMs = sounds.hello ?? this.core.opts.defaultSoundMs;
      spans.push({ startMs: helloAt, endMs: helloAt + helloMs });
      spans.push({ startMs: ans + plan.greetingMs, endMs: ans + plan.hangupMs });
    } else if (plan.outcome === 'human') {
      const helloMs = sounds['hello-world'] ?? 1130;
      spans.push({ startMs: helloAt, endMs: helloAt + helloMs });
    } else if (plan.outcome === 'machine') {
      spans.push({ startMs: ans + GREETING_START_MS, endMs: ans + plan.greetingMs });
    }
    // The customer stops talking when it hangs up.
    const end = ans + plan.hangupMs;
    const clipped = spans
      .map((s) => ({ startMs: s.startMs, endMs: Math.min(s.endMs, end) }))
      .filter((s) => s.endMs > s.startMs)
      .sort((a, b) => a.startMs - b.startMs);
    const merged: SpeechSpan[] = [];
    for (const s of clipped) {
      const last = merged[merged.length - 1];
      if (last && s.startMs - last.endMs < mergeGapMs) last.endMs = Math.max(last.endMs, s.endMs);
      else merged.push({ ...s });
    }
    return merged;
  }

  private watch(ch: SimChannel, silenceMs: number): void {
    const old = this.watches.get(ch);
    const talkingSinceMs = old?.talkingSinceMs ?? null;
    if (old) for (const t of old.timers) this.core.opts.scheduler.cancel(t);
    const w: Watch = { silenceMs, timers: [], talkingSinceMs };
    this.watches.set(ch, w);
    const now = this.core.now();
    let first = true;
    for (const s of this.speech(ch, silenceMs)) {
      if (s.endMs <= now && !(first && talkingSinceMs !== null)) continue;
      // Already talking when (re)attached: the talk in progress goes on, only its end is sent.
      const ongoing = first && talkingSinceMs !== null && s.startMs <= now;
      first = false;
      if (!ongoing) {
        const startAt = Math.max(s.startMs, now) + FRAME_MS;
        w.timers.push(
          this.core.after(ch, startAt - now, () => {
            w.talkingSinceMs = this.core.now();
            this.core.chanEvent('ChannelTalkingStarted', ch);
          }),
        );
      }
      const endAt = Math.max(s.endMs, now) + silenceMs;
      w.timers.push(
        this.core.after(ch, endAt - now, () => {
          const since = w.talkingSinceMs ?? this.core.now() - silenceMs;
          w.talkingSinceMs = null;
          const duration = Math.max(0, Math.round(this.core.now() - since - silenceMs));
          this.core.chanEvent('ChannelTalkingFinished', ch, { duration });
        }),
      );
    }
    if (first && talkingSinceMs !== null) {
      // Was talking, nothing more to say: the silence threshold ends the talk.
      w.timers.push(
        this.core.after(ch, silenceMs, () => {
          const duration = Math.max(0, Math.round(this.core.now() - talkingSinceMs - silenceMs));
          w.talkingSinceMs = null;
          this.core.chanEvent('ChannelTalkingFinished', ch, { duration });
        }),
      );
    }
  }

  private stop(ch: SimChannel, w: Watch): void {
    for (const t of w.timers) this.core.opts.scheduler.cancel(t);
    this.watches.delete(ch);
  }
}
