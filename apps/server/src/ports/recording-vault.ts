import type { Readable } from 'node:stream';

/**
 * Where finished recordings live (issue 15, docs/recording.md "Storage"): encrypted at rest,
 * on local disk or S3-compatible storage (`RECORDINGS_URL`). Implemented in
 * adapters/storage; the mover writes, the player reads byte ranges.
 */
export interface StoredObject {
  /** file:///... or s3://bucket/key: what recordings.storage_url holds. */
  url: string;
  /** The plain (decrypted) length in bytes: what a player's Range header counts. */
  plainBytes: number;
  /** The encrypted object's length in bytes. */
  storedBytes: number;
  /** The id of the key that encrypted it (RECORDINGS_KEYS). */
  keyId: string;
}

export interface RecordingVault {
  /** Encrypts `plain` and writes it under `key` (a relative path like `2026/12/07/<callId>.wav`). */
  put(key: string, plain: Buffer): Promise<StoredObject>;
  /** The plain length of a stored object (reads only its header). */
  plainSize(url: string): Promise<number>;
  /**
   * The decrypted bytes [start, endInclusive] of a stored object, reading only the chunks that
   * hold them. Rejects when the object is missing or fails authentication.
   */
  readRange(url: string, start: number, endInclusive: number): Promise<Readable>;
  /** Deletes a stored object; a missing object is not an error. */
  delete(url: string): Promise<void>;
  /** Whether storage answers (a write-and-delete probe), for health and the backlog. */
  check(): Promise<void>;
}
