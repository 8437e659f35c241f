/**
 * Playbacks on a channel or a bridge: each media item lasts its sound's length (silence/<n> n
 * seconds, tones until stopped), with PlaybackStarted, PlaybackContinuing between items and
 * PlaybackFinished at the end or when stopped. Recordings are recordings.ts's.
 */
import {
  allocFailed,
  msg,
  type AriReply,
  type EventScope,
  type Params,
  type PbxCore,
} from './core.js';
import { SimChannel, SimPlayback, type SimBridge } from './model.js';

export class Playbacks {
  constructor(private readonly core: PbxCore) {}

  /** How long one media URI plays, ms (Infinity for a tone). */
  soundMs(uri: string): number {
    const [scheme, rest = ''] = uri.includes(':') ? uri.split(/:(.*)/s, 2) : ['sound', uri];
    if (scheme === 'silence' || rest.startsWith('silence/')) {
      const secs = Number(rest.replace(/^silence\//, ''));
      if (Number.isFinite(secs)) return secs * 1000;
    }
    if (scheme === 'tone') return Number.POSITIVE_INFINITY;
    return this.core.opts.soundDurationsMs[rest] ?? this.core.opts.defaultSoundMs;
  }

  /** The playback ends now (stopped, or its channel or bridge went). */
  finish(pb: SimPlayback): void {
    if (pb.state === 'done' || pb.state === 'failed') return;
    this.core.opts.scheduler.cancel(pb.timer);
    pb.timer = null;
    pb.state = 'done';
    this.core.playbacks.delete(pb.id);
    pb.target.playbacks.delete(pb);
    this.core.emit('PlaybackFinished', { playback: pb.json() }, scope(pb));
  }

  ariPlay(
    targetKind: 'channel' | 'bridge',
    targetId: string,
    media: string[],
    p: Params,
    pathPlaybackId?: string,
  ): AriReply {
    let target: SimChannel | SimBridge;
    if (targetKind === 'channel') {
      const ch = this.core.stasisChannel(targetId, true);
      if (!(ch instanceof SimChannel)) return ch;
      target = ch;
    } else {
      const b = this.core.bridges.get(targetId);
      if (!b) return msg(404, 'Bridge not found');
      target = b;
    }
    if (media.length === 0) return msg(400, 'media: missing required parameter');
    if (Number(p.skipms ?? 0) < 0) return msg(400, 'skipms cannot be negative');
    if (Number(p.offsetms ?? 0) < 0) return msg(400, 'offsetms cannot be negative');
    const id =
      pathPlaybackId || p.playbackId || `${this.core.uniqueId()}-pb${this.core.serial('playback')}`;
    if (this.core.playbacks.has(id)) return allocFailed;
    const pb = new SimPlayback(id, media, `${targetKind}:${targetId}`, p.lang || 'en', target);
    this.core.playbacks.set(id, pb);
    target.playbacks.add(pb);
    this.core.counters.playbacks++;
    const reply: AriReply = {
      status: 201,
      body: pb.json(),
      headers: { Location: `/playbacks/${id}` },
    };
    pb.state = 'playing';
    this.core.emit('PlaybackStarted', { playback: pb.json() }, scope(pb));
    this.scheduleItem(pb);
    return reply;
  }

  ariGetPlayback(id: string): AriReply {
    const pb = this.core.playbacks.get(id);
    return pb ? { status: 200, body: pb.json() } : msg(404, 'The playback cannot be found');
  }

  ariStopPlayback(id: string): AriReply {
    const pb = this.core.playbacks.get(id);
    if (!pb) return msg(404, 'The playback cannot be found');
    this.finish(pb);
    return { status: 204 };
  }

  private scheduleItem(pb: SimPlayback): void {
    const ms = this.soundMs(pb.media[pb.index] ?? '');
    if (!Number.isFinite(ms)) return;
    pb.timer = this.core.opts.scheduler.after(ms, () => {
      pb.timer = null;
      if (pb.index + 1 < pb.media.length) {
        pb.index++;
        pb.state = 'continuing';
        this.core.emit('PlaybackContinuing', { playback: pb.json() }, scope(pb));
        pb.state = 'playing';
        this.scheduleItem(pb);
      } else {
        this.finish(pb);
      }
    });
  }
}

function scope(pb: SimPlayback): EventScope {
  return pb.target instanceof SimChannel ? { channels: [pb.target] } : { bridge: pb.target };
}
