import type { RecordingSearchQuery, RecordingView } from '@ringside/protocol';

/**
 * Who is asking, as the recording reads filter it (docs/recording.md "Listening and quality
 * review"): supervisors and admins hear every call; an agent only calls with a segment of theirs,
 * in campaigns whose agents_hear_own_recordings is set.
 */
export type RecordingAccess = { kind: 'all' } | { kind: 'agent'; agentId: string };

/** Which recordings a list is of. */
export type RecordingFilter =
  | { kind: 'call'; callId: string }
  | { kind: 'lead'; leadId: string }
  /** Exactly these (the AMD review list's page), newest first. */
  | { kind: 'ids'; ids: readonly string[] }
  | { kind: 'search'; query: Omit<RecordingSearchQuery, 'page' | 'pageSize'> };

/** One recording with what the audio route needs besides the view. */
export interface RecordingForPlay {
  view: RecordingView;
  storageUrl: string | null;
}

/** The recordings read side (adapters/postgres/recordings-read.ts). */
export interface RecordingsReadRepo {
  /** The recording if `access` may hear it; null when it does not exist or may not (same answer). */
  get(id: string, access: RecordingAccess): Promise<RecordingForPlay | null>;
  /** Newest first; `hasMore` when rows follow this page. */
  list(
    filter: RecordingFilter,
    access: RecordingAccess,
    page: { page: number; pageSize: number },
  ): Promise<{ recordings: RecordingView[]; hasMore: boolean }>;
  /** The cached waveform of a recording for this stored file, or null. */
  cachedPeaks(
    id: string,
    storageUrl: string,
  ): Promise<{ buckets: number; durationMs: number; peaks: Int8Array } | null>;
  savePeaks(
    id: string,
    storageUrl: string,
    p: { buckets: number; durationMs: number; peaks: Int8Array },
  ): Promise<void>;
}
