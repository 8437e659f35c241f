import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { RecordingList, RecordingPeaks, RecordingView, Role } from '@ringside/protocol';
import { ConflictError, NotFoundError, UnavailableError } from '../../../errors.js';
import type { Logger } from '../../../logger.js';
import type { AuditLog } from '../../../ports/audit.js';
import type { RecordingVault } from '../../../ports/recording-vault.js';
import { DEFAULT_PEAK_BUCKETS, wavPeaks, type Peaks } from './peaks.js';
import { parseRange } from './range.js';
import type {
  RecordingAccess,
  RecordingFilter,
  RecordingForPlay,
  RecordingsReadRepo,
} from '../../../ports/recording-play.js';

/** Who asks: the signed-in user, as the routes know them. */
export interface Listener {
  id: string;
  role: Role;
}

/** The audio answer: 200 (the whole file) or 206 (one range), or 416 with the file's size. */
export type AudioAnswer =
  | { status: 200 | 206; headers: Record<string, string>; body: Readable }
  | { status: 416; headers: Record<string, string>; reason: string };

export interface PlayerDeps {
  repo: RecordingsReadRepo;
  /** Where stored recordings are (adapters/storage); null: the audio and peaks answer 503. */
  vault: RecordingVault | null;
  audit: AuditLog;
  logger: Logger;
  /** Waveform width in pairs (default 800). */
  peakBuckets?: number;
}

/** The most play audits remembered in this process (each also checked in audit_log). */
const PLAYED_MEMORY = 10_000;

/**
 * Listening (issue 15 point 6; docs/recording.md "Listening and quality review"): who may hear
 * which recording, the decrypted WAV by byte range, the waveform (computed once and kept in
 * recording_peaks), and the audit of plays (once per session and recording) and downloads (each).
 */
export class RecordingPlayer {
  private readonly played = new Set<string>();
  private readonly computing = new Map<string, Promise<Peaks>>();

  constructor(private readonly d: PlayerDeps) {}

  /** Supervisors and admins hear every call; an agent only their own, where the campaign allows. */
  static accessOf(user: Listener): RecordingAccess {
    return user.role === 'agent' ? { kind: 'agent', agentId: user.id } : { kind: 'all' };
  }

  async list(
    user: Listener,
    filter: RecordingFilter,
    page: { page: number; pageSize: number },
  ): Promise<RecordingList> {
    const r = await this.d.repo.list(filter, RecordingPlayer.accessOf(user), page);
    return {
      recordings: r.recordings,
      page: page.page,
      pageSize: page.pageSize,
      hasMore: r.hasMore,
    };
  }

  /** The recording, or 404 alike for one that does not exist and one the user may not hear. */
  async get(user: Listener, id: string): Promise<RecordingForPlay> {
    const r = await this.d.repo.get(id, RecordingPlayer.accessOf(user));
    if (!r) throw new NotFoundError(`recording ${id} not found`);
    return r;
  }

  async view(user: Listener, id: string): Promise<RecordingView> {
    return (await this.get(user, id)).view;
  }

  private async stored(
    user: Listener,
    id: string,
  ): Promise<{ rec: RecordingForPlay; url: string; vault: RecordingVault }> {
    const rec = await this.get(user, id);
    if (!rec.view.playable || rec.storageUrl === null)
      throw new ConflictError(`recording ${id} is ${rec.view.state}: there is no audio to play`);
    if (!this.d.vault) throw new UnavailableError('recording storage is not configured');
    return { rec, url: rec.storageUrl, vault: this.d.vault };
  }

  /**
   * The WAV, whole or one byte range. `session`: the caller's session token (hashed here), so a
   * play is audited once per session and recording however many ranges the player asks for.
   */
  async audio(
    user: Listener,
    id: string,
    opts: { range: string | undefined; download: boolean; session: string },
  ): Promise<AudioAnswer> {
    const { url, vault } = await this.stored(user, id);
    const size = await vault.plainSize(url);
    const range = parseRange(opts.range, size);
    const base: Record<string, string> = {
      'content-type': 'audio/wav',
      'accept-ranges': 'bytes',
      'cache-control': 'private, no-store',
    };
    if (range.kind === 'unsatisfiable')
      return {
        status: 416,
        headers: { ...base, 'content-range': `bytes */${size}` },
        reason: range.reason,
      };
    if (opts.download) {
      base['content-disposition'] = `attachment; filename="recording-${id}.wav"`;
      // Every download is audited; the later ranges of a resumed download are the same download.
      if (range.kind === 'full' || range.start === 0)
        await this.d.audit.record({
          userId: user.id,
          action: 'recording.download',
          target: `recording:${id}`,
          detail: { bytes: size },
        });
    } else if (range.kind === 'full' || range.start === 0) {
      await this.auditPlay(user, id, opts.session);
    }
    const [start, end] = range.kind === 'full' ? [0, size - 1] : [range.start, range.endInclusive];
    const body = await vault.readRange(url, start, end);
    const headers = { ...base, 'content-length': String(end - start + 1) };
    if (range.kind === 'partial')
      return {
        status: 206,
        headers: { ...headers, 'content-range': `bytes ${start}-${end}/${size}` },
        body,
      };
    return { status: 200, headers, body };
  }

  private async auditPlay(user: Listener, id: string, session: string): Promise<void> {
    const sessionKey = createHash('sha256').update(session).digest('hex').slice(0, 16);
    const key = `${user.id}:${sessionKey}:${id}`;
    if (this.played.has(key)) return;
    const target = `recording:${id}`;
    // Another api process may have audited this play already.
    const earlier = await this.d.audit.list({ target, limit: 500 });
    const seen = earlier.some(
      (e) =>
        e.action === 'recording.play' && e.userId === user.id && e.detail.session === sessionKey,
    );
    if (!seen)
      await this.d.audit.record({
        userId: user.id,
        action: 'recording.play',
        target,
        detail: { session: sessionKey },
      });
    if (this.played.size >= PLAYED_MEMORY) this.played.clear();
    this.played.add(key);
  }

  /** The waveform: from recording_peaks, else computed from the stored WAV and kept there. */
  async peaks(user: Listener, id: string): Promise<RecordingPeaks> {
    const { url, vault } = await this.stored(user, id);
    const cached = await this.d.repo.cachedPeaks(id, url);
    const p = cached ?? (await this.compute(id, url, vault));
    return {
      recordingId: id,
      durationMs: p.durationMs,
      buckets: p.buckets,
      peaks: Array.from(p.peaks),
    };
  }

  private compute(id: string, url: string, vault: RecordingVault): Promise<Peaks> {
    const key = `${id}:${url}`;
    const running = this.computing.get(key);
    if (running) return running;
    const work = (async () => {
      const size = await vault.plainSize(url);
      if (size <= 0) throw new ConflictError(`recording ${id}: the stored file is empty`);
      const stream = await vault.readRange(url, 0, size - 1);
      const p = await wavPeaks(stream, size, this.d.peakBuckets ?? DEFAULT_PEAK_BUCKETS);
      await this.d.repo.savePeaks(id, url, p);
      this.d.logger.info({ recordingId: id, buckets: p.buckets }, 'recording waveform computed');
      return p;
    })().finally(() => this.computing.delete(key));
    this.computing.set(key, work);
    return work;
  }
}
