import {
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import type { RecordingPeaks, RecordingView } from '@ringside/protocol';
import { refusalMessage } from '../../core/api.js';
import type { RecordingsApi } from './api.js';
import { clock, keyAction, pauseGaps, transferPoints, unplayableMessage } from './model.js';

const W = 800;
const H = 64;

/**
 * A recording's player: the waveform (the server's peaks) with the PCI pause gaps shaded and the
 * transfer points ticked, a play/pause button and the position. The waveform is a slider: Space
 * plays and pauses, the arrows seek 5 s (Shift: 30 s), Home/End go to either end; a click seeks.
 * The browser fetches the audio by byte ranges, so a long call starts at once. A recording with no
 * audio (pending, failed, purged) shows why instead of a player.
 */
export function WaveformPlayer(props: { api: RecordingsApi; rec: RecordingView }) {
  const { api, rec } = props;
  const id = useId();
  const audio = useRef<HTMLAudioElement | null>(null);
  const [peaks, setPeaks] = useState<RecordingPeaks | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [playing, setPlaying] = useState(false);
  const [posMs, setPosMs] = useState(0);
  const message = unplayableMessage(rec);

  useEffect(() => {
    if (message) return;
    const ctl = new AbortController();
    api
      .peaks(rec.id, ctl.signal)
      .then(setPeaks)
      .catch((err: unknown) => {
        if (!ctl.signal.aborted)
          setError(`The waveform could not be loaded: ${refusalMessage(err)}`);
      });
    return () => ctl.abort();
  }, [api, rec.id, message]);

  const durationMs = peaks?.durationMs ?? rec.durationMs ?? 0;
  const gaps = useMemo(() => pauseGaps(rec.marks, durationMs), [rec.marks, durationMs]);
  const ticks = useMemo(() => transferPoints(rec), [rec]);
  const wave = useMemo(() => {
    if (!peaks) return '';
    const n = peaks.buckets;
    const parts: string[] = [];
    for (let b = 0; b < n; b++) {
      const x = ((b + 0.5) * W) / n;
      const lo = peaks.peaks[b * 2] ?? 0;
      const hi = peaks.peaks[b * 2 + 1] ?? 0;
      const y1 = H / 2 - (hi / 127) * (H / 2 - 2);
      const y2 = H / 2 - (lo / 127) * (H / 2 - 2);
      parts.push(`M${x.toFixed(1)} ${y1.toFixed(1)}V${Math.max(y2, y1 + 0.5).toFixed(1)}`);
    }
    return parts.join('');
  }, [peaks]);

  if (message)
    return (
      <p className="rec-msg" role="status">
        {message}
      </p>
    );

  const xOf = (ms: number) => (durationMs > 0 ? (ms / durationMs) * W : 0);
  const seek = (ms: number) => {
    const a = audio.current;
    if (!a) return;
    a.currentTime = ms / 1000;
    setPosMs(ms);
  };
  const toggle = () => {
    const a = audio.current;
    if (!a) return;
    if (a.paused) a.play().catch((err: unknown) => setError(`Playback failed: ${String(err)}`));
    else a.pause();
  };
  const onKey = (e: KeyboardEvent) => {
    const act = keyAction(e.key, e.shiftKey, posMs, durationMs);
    if (!act) return;
    e.preventDefault();
    if (act.kind === 'toggle') toggle();
    else seek(act.toMs);
  };
  const onClick = (e: MouseEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    if (box.width > 0) seek(((e.clientX - box.left) / box.width) * durationMs);
  };
  const legend = [
    ...gaps.map((g) => `recording paused ${clock(g.fromMs)}–${clock(g.toMs)}`),
    ...ticks.map((t) => `transferred at ${clock(t)}`),
  ];

  return (
    <div className="rec-player">
      <audio
        ref={audio}
        preload="none"
        src={api.audioUrl(rec.id)}
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => setPlaying(false)}
        onTimeUpdate={(e) => setPosMs(Math.round(e.currentTarget.currentTime * 1000))}
        onError={() => setError('The audio could not be played.')}
      />
      <button type="button" onClick={toggle} aria-describedby={`${id}-time`}>
        {playing ? 'Pause' : 'Play'}
      </button>
      <span className="rec-time" id={`${id}-time`}>
        {clock(posMs)} / {clock(durationMs)}
      </span>
      <svg
        className="rec-wave"
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="slider"
        tabIndex={0}
        aria-label={`Position in recording ${rec.id} (Space plays or pauses, arrows seek)`}
        aria-valuemin={0}
        aria-valuemax={Math.round(durationMs / 1000)}
        aria-valuenow={Math.round(posMs / 1000)}
        aria-valuetext={`${clock(posMs)} of ${clock(durationMs)}`}
        aria-describedby={legend.length ? `${id}-legend` : undefined}
        onKeyDown={onKey}
        onClick={onClick}
        data-testid="rec-wave"
      >
        {gaps.map((g, i) => (
          <rect
            key={`g${i}`}
            className="rec-gap"
            x={xOf(g.fromMs)}
            y={0}
            width={Math.max(1, xOf(g.toMs) - xOf(g.fromMs))}
            height={H}
            fill="#f2c94c"
            fillOpacity={0.45}
          />
        ))}
        <path d={wave} stroke="#1f5fa8" strokeWidth={W / Math.max(1, peaks?.buckets ?? W)} />
        <line x1={0} x2={W} y1={H / 2} y2={H / 2} stroke="#9ab" strokeWidth={0.5} />
        {ticks.map((t, i) => (
          <line
            key={`t${i}`}
            className="rec-tick"
            x1={xOf(t)}
            x2={xOf(t)}
            y1={0}
            y2={H}
            stroke="#b00020"
            strokeWidth={2}
          />
        ))}
        <line x1={xOf(posMs)} x2={xOf(posMs)} y1={0} y2={H} stroke="#000" strokeWidth={1.5} />
      </svg>
      <a href={api.downloadUrl(rec.id)} download>
        Download
      </a>
      {legend.length > 0 && (
        <p className="rec-legend" id={`${id}-legend`}>
          On the waveform: {legend.join('; ')}.
        </p>
      )}
      {error && (
        <p className="rec-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
