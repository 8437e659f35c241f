import type { RecordingMarkView, RecordingView } from '@ringside/protocol';

/**
 * The waveform player's model, without React: where the pause gaps and transfer points fall,
 * what a key does, and what to say instead of a player when there is no audio.
 */

/** A span of the file, ms. */
export interface Span {
  fromMs: number;
  toMs: number;
}

/**
 * The PCI pauses as spans: each pause up to the next resume (or the end of the file when the
 * call ended paused). A resume with no pause before it is ignored.
 */
export function pauseGaps(marks: readonly RecordingMarkView[], durationMs: number): Span[] {
  const out: Span[] = [];
  let open: number | null = null;
  for (const m of [...marks].sort((a, b) => a.offsetMs - b.offsetMs)) {
    if (m.kind === 'pause' && open === null) open = m.offsetMs;
    else if (m.kind === 'resume' && open !== null) {
      out.push({ fromMs: open, toMs: Math.max(open, m.offsetMs) });
      open = null;
    }
  }
  if (open !== null) out.push({ fromMs: open, toMs: Math.max(open, durationMs) });
  return out.map((s) => ({
    fromMs: Math.min(s.fromMs, durationMs),
    toMs: Math.min(s.toMs, durationMs),
  }));
}

/** Transfer points (and the start of every segment after the first), ms, without repeats. */
export function transferPoints(rec: Pick<RecordingView, 'marks' | 'segments'>): number[] {
  const at = new Set<number>();
  for (const m of rec.marks) if (m.kind === 'transfer') at.add(m.offsetMs);
  for (const s of rec.segments) if (s.seq > 1) at.add(s.offsetMs);
  return [...at].sort((a, b) => a - b);
}

/** What a key does on the player: play/pause, or a seek to a new position (ms). */
export type KeyAction = { kind: 'toggle' } | { kind: 'seek'; toMs: number } | null;

/** Seconds an arrow moves; Shift+arrow moves six times as far. */
export const SEEK_STEP_MS = 5000;

export function keyAction(
  key: string,
  shift: boolean,
  positionMs: number,
  durationMs: number,
): KeyAction {
  const clamp = (ms: number) => Math.max(0, Math.min(durationMs, ms));
  const step = shift ? SEEK_STEP_MS * 6 : SEEK_STEP_MS;
  switch (key) {
    case ' ':
    case 'Spacebar':
    case 'k':
      return { kind: 'toggle' };
    case 'ArrowRight':
    case 'ArrowUp':
      return { kind: 'seek', toMs: clamp(positionMs + step) };
    case 'ArrowLeft':
    case 'ArrowDown':
      return { kind: 'seek', toMs: clamp(positionMs - step) };
    case 'PageUp':
      return { kind: 'seek', toMs: clamp(positionMs + SEEK_STEP_MS * 6) };
    case 'PageDown':
      return { kind: 'seek', toMs: clamp(positionMs - SEEK_STEP_MS * 6) };
    case 'Home':
      return { kind: 'seek', toMs: 0 };
    case 'End':
      return { kind: 'seek', toMs: durationMs };
    default:
      return null;
  }
}

/** m:ss (h:mm:ss past an hour). */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Instead of a player: why there is nothing to play (null when it plays). */
export function unplayableMessage(
  rec: Pick<RecordingView, 'state' | 'playable' | 'lastError'>,
): string | null {
  if (rec.playable) return null;
  switch (rec.state) {
    case 'recording':
      return 'The call is still being recorded.';
    case 'pending':
      return 'Not yet stored: the recording is waiting to be moved off the phone server. Try again in a minute.';
    case 'failed':
      return `The recording failed: Asterisk produced no file${rec.lastError ? ` (${rec.lastError})` : ''}.`;
    case 'purged':
      return 'The recording was deleted by the retention rule; its record remains.';
    case 'mismatch':
      return `The file's length does not match the call${rec.lastError ? ` (${rec.lastError})` : ''}, and no file is kept.`;
    case 'stored':
      return 'The recording is stored but its file cannot be found.';
  }
}

/** A short label for the state next to a recording. */
export function stateLabel(rec: Pick<RecordingView, 'state'>): string {
  switch (rec.state) {
    case 'mismatch':
      return 'length mismatch';
    default:
      return rec.state;
  }
}
