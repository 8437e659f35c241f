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
import { decodeWav, samplesToMs } from './wav.js';

/**
 * The URL of `sound:http(s)://...` media (Asterisk's res_http_media_cache fetches it), or null.
 * The simulator fetches it too, and plays it for the WAV's length; a fetch that fails or a file
 * that is not 8 kHz 16-bit mono WAV fails the playback.
 */
function httpMedia(uri: string): string | null {
  const m = /^sound:(https?:\/\/.+)$/s.exec(uri);
  return m?.[1] ?? null;
}

export class Playbacks {
  /** Lengths of fetched http media, ms, by URL (as res_http_media_cache keeps its files). */
  private readonly httpLengths = new Map<string, number>();

  constructor(private readonly core: PbxCore) {}

  /** Fetches http media once and returns its length, ms. */
  private async httpLengthMs(url: string): Promise<number> {
    const known = this.httpLengths.get(url);
    if (known !== undefined) return known;
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`media fetch answered ${res.status}`);
    const ms = samplesToMs(decodeWav(Buffer.from(await res.arrayBuffer())).length);
    this.httpLengths.set(url, ms);
    return ms;
  }

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
    const uri = pb.media[pb.index] ?? '';
    const url = httpMedia(uri);
    if (url) {
      const index = pb.index;
      this.httpLengthMs(url).then(
        (ms) => {
          if (pb.state === 'playing' && pb.index === index) this.scheduleFor(pb, ms);
        },
        () => {
          // Asterisk fails a playback whose media it cannot fetch or read.
          if (pb.state !== 'playing' && pb.state !== 'continuing') return;
          this.core.opts.scheduler.cancel(pb.timer);
          pb.timer = null;
          pb.state = 'failed';
          this.core.playbacks.delete(pb.id);
          pb.target.playbacks.delete(pb);
          this.core.emit('PlaybackFinished', { playback: pb.json() }, scope(pb));
        },
      );
      return;
    }
    this.scheduleFor(pb, this.soundMs(uri));
  }

  private scheduleFor(pb: SimPlayback, ms: number): void {
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
