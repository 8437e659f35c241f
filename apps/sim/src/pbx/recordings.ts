/**
 * ARI's recordings, as Asterisk 22's res_stasis_recording and res_ari_recordings do them:
 * POST /bridges/{id}/record and /channels/{id}/record (201, a LiveRecording in state `queued`),
 * then RecordingStarted (`recording`); stop gives RecordingFinished (`done`, with the duration in
 * whole seconds), cancel RecordingFinished (`canceled`, file deleted), a fault RecordingFailed
 * (with its `cause`). Pause, unpause, mute and unmute send no event. A bridge recording goes on
 * while channels come and go (Asterisk's Recorder channel stays in the bridge) and ends when
 * stopped, at maxDurationSeconds, or when the bridge is destroyed; a channel recording ends when
 * its channel goes.
 *
 * The file is real audio (wav: 8 kHz, 16-bit, mono) of the recorded simulated time: each party
 * a voice of its own (SIM_VOICES_HZ) in speech-like bursts, mixed while it is in the bridge;
 * muted time is digital silence (the file keeps its length); paused time is left out. Files go
 * to the store (recording-store.ts) before RecordingFinished is sent, so a client may fetch the
 * file as soon as it hears the event.
 */
import {
  msg,
  type AriEventOut,
  type AriReply,
  type EventScope,
  type Params,
  type PbxCore,
} from './core.js';
import type { SimBridge, SimChannel } from './model.js';
import { validRecordingName, type SimRecordingStore } from './recording-store.js';
import type { SimTimer } from './scheduler.js';
import { decodeWav, encodeWav, WAV_RATE_HZ } from './wav.js';

/** The tone each kind of party speaks in, Hz: a test tells the voices apart by these. */
export const SIM_VOICES_HZ = { customer: 440, agent: 620, supervisor: 820 } as const;

/** Talk and pause of each voice's bursts, ms (different, so the voices overlap only in part). */
const BURSTS: Readonly<Record<number, readonly [number, number]>> = {
  [SIM_VOICES_HZ.customer]: [1400, 600],
  [SIM_VOICES_HZ.agent]: [1100, 900],
  [SIM_VOICES_HZ.supervisor]: [900, 700],
};

/** Peak of one voice (three at once stay below full scale). */
const AMPLITUDE = 8000;

/** sin(2π·k/8000), k in [0, 8000): an integer frequency's sample n is SINE[(hz·n) mod 8000]. */
const SINE = Float64Array.from({ length: WAV_RATE_HZ }, (_, k) =>
  Math.sin((2 * Math.PI * k) / WAV_RATE_HZ),
);

/** The formats the simulated PBX writes; Asterisk answers 422 for a format it has no writer for. */
const FORMATS = new Set(['wav']);
/** Length of the beep a `beep=true` recording plays before it records, ms. */
const BEEP_MS = 250;
/** How often a recording's open span is rendered, simulated ms. */
const FLUSH_MS = 5000;

export type LiveRecordingState = 'queued' | 'recording' | 'paused' | 'done' | 'failed' | 'canceled';

/** ARI's LiveRecording model, in Asterisk's field order. */
export interface LiveRecordingJson {
  name: string;
  format: string;
  state: LiveRecordingState;
  target_uri: string;
  duration?: number;
  cause?: string;
}

interface Party {
  hz: number;
  /** Where the party's bursts start, sim ms. */
  anchorMs: number;
}

/** A stretch of recorded (not paused) time with the same parties and mute. */
interface Span {
  simStartMs: number;
  durMs: number;
  parties: Party[];
  muted: boolean;
}

type Target = { kind: 'bridge'; bridge: SimBridge } | { kind: 'channel'; channel: SimChannel };

class SimRecording {
  state: LiveRecordingState = 'queued';
  muted = false;
  /** Between RecordingStarted and the end of the beep: recording, nothing written yet. */
  beeping = false;
  /** The audio of the closed spans, in order (written as it goes, as Asterisk does). */
  readonly chunks: Int16Array[] = [];
  open: { simStartMs: number; parties: Party[]; muted: boolean } | null = null;
  /** Length of the closed spans, ms. */
  closedMs = 0;
  /** Samples in `chunks`. */
  samples = 0;
  /** maxDurationSeconds. */
  timer: SimTimer | null = null;
  /** The end of the beep. */
  beepTimer: SimTimer | null = null;
  /** Closes and renders the open span now and then, so no single step renders minutes. */
  flushTimer: SimTimer | null = null;
  durationS: number | null = null;
  cause: string | null = null;
  readonly voices = new Map<string, Party>();

  constructor(
    readonly name: string,
    readonly format: string,
    readonly target: Target,
    readonly ifExists: 'fail' | 'overwrite' | 'append',
    readonly maxDurationMs: number,
    readonly beep: boolean,
  ) {}

  get targetUri(): string {
    return this.target.kind === 'bridge'
      ? `bridge:${this.target.bridge.id}`
      : `channel:${this.target.channel.id}`;
  }

  get terminal(): boolean {
    return this.state === 'done' || this.state === 'failed' || this.state === 'canceled';
  }

  json(): LiveRecordingJson {
    const j: LiveRecordingJson = {
      name: this.name,
      format: this.format,
      state: this.state,
      target_uri: this.targetUri,
    };
    if (this.durationS !== null) j.duration = this.durationS;
    if (this.cause !== null) j.cause = this.cause;
    return j;
  }

  scope(): EventScope {
    return this.target.kind === 'bridge'
      ? { bridge: this.target.bridge }
      : { channels: [this.target.channel] };
  }
}

/** What a test may ask of a live recording (durations in simulated ms). */
export interface SimRecordingInfo {
  name: string;
  state: LiveRecordingState;
  targetUri: string;
  muted: boolean;
  /** Recorded (file) time so far, ms. */
  recordedMs: number;
}

export class Recordings {
  private readonly live = new Map<string, SimRecording>();
  /** Live recordings by target_uri. */
  private readonly byTarget = new Map<string, Set<SimRecording>>();

  constructor(
    private readonly core: PbxCore,
    readonly store: SimRecordingStore,
  ) {
    core.onEvent((ev) => this.onCoreEvent(ev));
  }

  // ---------------------------------------------------------------- REST: start

  /** POST /bridges/{id}/record, POST /channels/{id}/record. */
  ariRecord(kind: 'bridge' | 'channel', id: string, p: Params): AriReply {
    let target: Target;
    if (kind === 'bridge') {
      const bridge = this.core.bridges.get(id);
      if (!bridge) return msg(404, 'Bridge not found');
      target = { kind, bridge };
    } else {
      const ch = this.core.channels.get(id);
      if (!ch || ch.hangingUp) return msg(404, 'Channel not found');
      if (!ch.stasis) return msg(409, 'Channel not in Stasis application');
      if (ch.bridge) return msg(409, 'Channel is currently bridged');
      target = { kind, channel: ch };
    }
    const name = p.name ?? '';
    const format = p.format ?? '';
    if (!name) return msg(400, 'name: missing required parameter');
    if (!format) return msg(400, 'format: missing required parameter');
    const terminateOn = p.terminateOn ?? 'none';
    if (!['none', 'any', '*', '#'].includes(terminateOn)) return msg(400, 'terminateOn invalid');
    const ifExists = p.ifExists || 'fail';
    if (ifExists !== 'fail' && ifExists !== 'overwrite' && ifExists !== 'append') {
      return msg(400, 'ifExists invalid');
    }
    const maxDuration = seconds(p.maxDurationSeconds);
    const maxSilence = seconds(p.maxSilenceSeconds);
    if (maxDuration === null || maxSilence === null) return msg(400, 'Invalid parameters');
    if (!FORMATS.has(format)) return msg(422, 'specified format is unknown on this system');
    if (!validRecordingName(name)) return msg(400, 'Recording name invalid');
    if (this.live.has(name) || (ifExists === 'fail' && this.store.has(name))) {
      return msg(409, `Recording '${name}' already exists and can not be overwritten`);
    }
    const rec = new SimRecording(
      name,
      format,
      target,
      ifExists,
      maxDuration * 1000,
      p.beep === 'true',
    );
    this.live.set(name, rec);
    const set = this.byTarget.get(rec.targetUri) ?? new Set<SimRecording>();
    set.add(rec);
    this.byTarget.set(rec.targetUri, set);
    const reply: AriReply = {
      status: 201,
      body: rec.json(),
      headers: { Location: `/recordings/live/${encodeURIComponent(name)}` },
    };
    // Asterisk answers, then the recorder's own thread starts writing: the event follows.
    this.core.opts.scheduler.after(0, () => this.begin(rec));
    return reply;
  }

  private begin(rec: SimRecording): void {
    if (rec.state !== 'queued') return;
    if (rec.target.kind === 'channel') {
      const ch = rec.target.channel;
      if (ch.destroyed || ch.hangingUp) {
        this.end(rec, 'failed', 'Failed to answer channel');
        return;
      }
      // ast_auto_answer: recording a channel answers it.
      if (ch.state !== 'Up') this.core.setState(ch, 'Up');
    }
    rec.state = 'recording';
    this.core.emit('RecordingStarted', { recording: rec.json() }, rec.scope());
    if (rec.beep) {
      rec.beeping = true;
      rec.beepTimer = this.core.opts.scheduler.after(BEEP_MS, () => {
        rec.beeping = false;
        rec.beepTimer = null;
        this.reopen(rec);
      });
      return;
    }
    this.reopen(rec);
  }

  // ---------------------------------------------------------------- REST: /recordings/live

  ariGetLive(name: string): AriReply {
    const rec = this.live.get(name);
    return rec ? { status: 200, body: rec.json() } : msg(404, 'Recording not found');
  }

  /** stop, cancel, pause, unpause, mute, unmute (res_stasis_recording's operation table). */
  ariControl(
    name: string,
    op: 'stop' | 'cancel' | 'pause' | 'unpause' | 'mute' | 'unmute',
  ): AriReply {
    const rec = this.live.get(name);
    if (!rec) return msg(404, 'Recording not found');
    const notInSession = msg(409, 'Recording not in session');
    if (rec.terminal) return notInSession;
    if (rec.state === 'queued') {
      if (op !== 'stop' && op !== 'cancel') return notInSession;
      // Stopped before it started: disregarded, no file.
      this.end(rec, 'canceled');
      return { status: 204 };
    }
    switch (op) {
      case 'stop':
        this.end(rec, 'done');
        break;
      case 'cancel':
        this.end(rec, 'canceled');
        break;
      case 'pause':
        if (rec.state === 'recording') {
          this.cut(rec);
          rec.state = 'paused';
        }
        break;
      case 'unpause':
        if (rec.state === 'paused') {
          rec.state = 'recording';
          this.reopen(rec);
        }
        break;
      case 'mute':
      case 'unmute': {
        const muted = op === 'mute';
        if (rec.muted !== muted) {
          const at = this.cut(rec);
          rec.muted = muted;
          this.reopen(rec, at);
        }
        break;
      }
    }
    return { status: 204 };
  }

  // ---------------------------------------------------------------- REST: /recordings/stored

  ariListStored(): AriReply {
    return { status: 200, body: this.store.list().map((name) => ({ name, format: 'wav' })) };
  }

  ariGetStored(name: string): AriReply {
    return this.store.has(name)
      ? { status: 200, body: { name, format: 'wav' } }
      : msg(404, 'Recording not found');
  }

  /** The file itself (audio/wav), a Buffer body. */
  ariGetStoredFile(name: string): AriReply {
    if (!this.store.has(name)) return msg(404, 'Recording not found');
    const file = this.store.read(name);
    if (!file) return msg(403, 'The recording file could not be opened');
    return { status: 200, body: file, headers: { 'Content-Type': 'audio/wav' } };
  }

  ariDeleteStored(name: string): AriReply {
    if (!this.store.has(name)) return msg(404, 'Recording not found');
    if (!this.store.delete(name)) return { status: 500, body: { message: 'Delete failed' } };
    return { status: 204 };
  }

  ariCopyStored(name: string, p: Params): AriReply {
    const file = this.store.has(name) ? this.store.read(name) : null;
    if (!file) return msg(404, 'Recording not found');
    const dest = p.destinationRecordingName ?? '';
    if (!dest) return msg(400, 'destinationRecordingName: missing required parameter');
    if (this.store.has(dest)) {
      return msg(409, 'A recording with the same name already exists on the system');
    }
    if (!validRecordingName(dest)) return msg(400, 'Invalid destination recording name');
    this.store.write(dest, file);
    return { status: 200, body: { name: dest, format: 'wav' } };
  }

  // ---------------------------------------------------------------- faults and inspection

  /**
   * Ends a live recording as failed (the disk filled, the recorder died): RecordingFailed with
   * `cause`, no file. False when there is no live recording by that name.
   */
  fail(name: string, cause: string): boolean {
    const rec = this.live.get(name);
    if (!rec || rec.terminal) return false;
    this.end(rec, 'failed', cause);
    return true;
  }

  /** The live recordings (tests, control API). */
  list(): SimRecordingInfo[] {
    const now = this.core.now();
    return [...this.live.values()].map((r) => ({
      name: r.name,
      state: r.state,
      targetUri: r.targetUri,
      muted: r.muted,
      recordedMs: r.closedMs + (r.open ? now - r.open.simStartMs : 0),
    }));
  }

  // ---------------------------------------------------------------- the timeline

  /** Bridge membership and the targets' ends, as the engine reports them. */
  private onCoreEvent(ev: AriEventOut): void {
    switch (ev.type) {
      case 'ChannelEnteredBridge':
      case 'ChannelLeftBridge': {
        const id = (ev.bridge as { id?: unknown } | undefined)?.id;
        for (const rec of this.targeting(`bridge:${String(id)}`)) this.split(rec);
        return;
      }
      case 'BridgeDestroyed': {
        const id = (ev.bridge as { id?: unknown } | undefined)?.id;
        // The Recorder channel is hung up with the bridge: the recording completes.
        for (const rec of this.targeting(`bridge:${String(id)}`)) this.end(rec, 'done');
        return;
      }
      case 'ChannelDestroyed': {
        const id = (ev.channel as { id?: unknown } | undefined)?.id;
        for (const rec of this.targeting(`channel:${String(id)}`)) this.end(rec, 'done');
        return;
      }
      default:
        return;
    }
  }

  private targeting(uri: string): SimRecording[] {
    const set = this.byTarget.get(uri);
    return set ? [...set].filter((r) => !r.terminal) : [];
  }

  /** Closes the open span at now (returned), rendering it. */
  private cut(rec: SimRecording): number {
    const { scheduler } = this.core.opts;
    const now = this.core.now();
    scheduler.cancel(rec.timer);
    scheduler.cancel(rec.flushTimer);
    rec.timer = rec.flushTimer = null;
    const open = rec.open;
    if (!open) return now;
    rec.open = null;
    const durMs = now - open.simStartMs;
    if (durMs <= 0) return now;
    // Sample boundaries from the running total, so the lengths add up exactly.
    const first = Math.round((rec.closedMs * WAV_RATE_HZ) / 1000);
    rec.closedMs += durMs;
    const last = Math.round((rec.closedMs * WAV_RATE_HZ) / 1000);
    const span = { simStartMs: open.simStartMs, durMs, parties: open.parties, muted: open.muted };
    const chunk = renderSpan(span, last - first);
    rec.chunks.push(chunk);
    rec.samples += chunk.length;
    return now;
  }

  /**
   * Closes the open span and opens the next at the same instant: rendering takes real time, which
   * on a sped-up clock is simulated time the file must not lose.
   */
  private split(rec: SimRecording): void {
    const at = this.cut(rec);
    this.reopen(rec, at);
  }

  /** Opens a span with who is there now, if the recording is writing; arms maxDurationSeconds. */
  private reopen(rec: SimRecording, atMs = this.core.now()): void {
    if (rec.state !== 'recording' || rec.beeping || rec.open) return;
    rec.open = { simStartMs: atMs, parties: this.parties(rec, atMs), muted: rec.muted };
    rec.flushTimer = this.core.opts.scheduler.after(FLUSH_MS, () => {
      rec.flushTimer = null;
      this.split(rec);
    });
    if (rec.maxDurationMs > 0) {
      const left = Math.max(0, rec.maxDurationMs - rec.closedMs - (this.core.now() - atMs));
      rec.timer = this.core.opts.scheduler.after(left, () => {
        rec.timer = null;
        this.end(rec, 'done');
      });
    }
  }

  /** The voices heard now: the bridge's members (snoops aside) or the recorded channel. */
  private parties(rec: SimRecording, atMs: number): Party[] {
    const chans =
      rec.target.kind === 'bridge'
        ? rec.target.bridge.channels.filter((c) => c.role !== 'snoop')
        : [rec.target.channel];
    return chans.map((ch) => {
      let party = rec.voices.get(ch.id);
      if (!party) {
        const taken = new Set([...rec.voices.values()].map((v) => v.hz));
        const hz =
          ch.role === 'customer'
            ? SIM_VOICES_HZ.customer
            : taken.has(SIM_VOICES_HZ.agent)
              ? SIM_VOICES_HZ.supervisor
              : SIM_VOICES_HZ.agent;
        party = { hz, anchorMs: atMs };
        rec.voices.set(ch.id, party);
      }
      return party;
    });
  }

  /**
   * The recording ends: the file is written (done) or removed (canceled), then, on the next
   * turn, RecordingFinished or RecordingFailed, and the name is free again.
   */
  private end(rec: SimRecording, state: 'done' | 'failed' | 'canceled', cause?: string): void {
    if (rec.terminal) return;
    const wasWriting = rec.state === 'recording' || rec.state === 'paused';
    this.cut(rec);
    this.core.opts.scheduler.cancel(rec.beepTimer);
    rec.beepTimer = null;
    rec.state = state;
    if (cause) rec.cause = cause;
    if (state === 'done') {
      const before = rec.ifExists === 'append' ? this.existingSamples(rec.name) : null;
      const all = new Int16Array((before?.length ?? 0) + rec.samples);
      let at = 0;
      for (const chunk of [...(before ? [before] : []), ...rec.chunks]) {
        all.set(chunk, at);
        at += chunk.length;
      }
      rec.chunks.length = 0;
      this.store.write(rec.name, encodeWav(all));
      rec.durationS = Math.floor(rec.samples / WAV_RATE_HZ);
    } else if (state === 'canceled' && wasWriting) {
      // Asterisk deletes the file it was writing (an appended-to one too).
      this.store.delete(rec.name);
    }
    this.core.opts.scheduler.after(0, () => {
      const type = state === 'failed' ? 'RecordingFailed' : 'RecordingFinished';
      this.core.emit(type, { recording: rec.json() }, rec.scope());
      if (this.live.get(rec.name) === rec) this.live.delete(rec.name);
      const set = this.byTarget.get(rec.targetUri);
      set?.delete(rec);
      if (set && set.size === 0) this.byTarget.delete(rec.targetUri);
    });
  }

  private existingSamples(name: string): Int16Array | null {
    const file = this.store.read(name);
    if (!file) return null;
    try {
      return decodeWav(file);
    } catch {
      return null;
    }
  }
}

/** A whole number of seconds >= 0 from a query value (unset: 0), or null. */
function seconds(v: string | undefined): number | null {
  if (v === undefined || v === '') return 0;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/** One span's audio, `n` samples: its parties' voices mixed, or digital silence when muted. */
function renderSpan(span: Span, n: number): Int16Array {
  const out = new Int16Array(Math.max(0, n));
  if (span.muted || span.parties.length === 0) return out;
  const mix = new Float64Array(out.length);
  for (const party of span.parties) addVoice(mix, party, span.simStartMs);
  for (let i = 0; i < mix.length; i++) {
    const v = Math.round(mix[i] ?? 0);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** Adds one party's bursts to `mix`, whose sample 0 is at sim time `startMs`. */
function addVoice(mix: Float64Array, party: Party, startMs: number): void {
  const [onMs, offMs] = BURSTS[party.hz] ?? [1000, 1000];
  const perMs = WAV_RATE_HZ / 1000;
  const period = (onMs + offMs) * perMs;
  const on = onMs * perMs;
  const n0 = Math.round((startMs - party.anchorMs) * perMs);
  // Integer steps: the sine table index and the burst phase advance one sample at a time.
  let k = (((party.hz * n0) % WAV_RATE_HZ) + WAV_RATE_HZ) % WAV_RATE_HZ;
  let phase = ((n0 % period) + period) % period;
  const step = party.hz % WAV_RATE_HZ;
  for (let i = 0; i < mix.length; i++) {
    if (phase < on) mix[i] = (mix[i] ?? 0) + AMPLITUDE * (SINE[k] ?? 0);
    k += step;
    if (k >= WAV_RATE_HZ) k -= WAV_RATE_HZ;
    phase += 1;
    if (phase === period) phase = 0;
  }
}
