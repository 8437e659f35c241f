import type pg from 'pg';
import type { Logger } from '../../logger.js';
import { loadOrCreateSecret } from '../postgres/server-secrets.js';
import { parseKeyring, VaultKeyring } from './sealed.js';
import { createVault, type EncryptedVault } from './vault.js';

export { EncryptedVault, createVault } from './vault.js';
export {
  RecordingIntegrityError,
  RecordingKeyError,
  parseKeyring,
  VaultKeyring,
} from './sealed.js';
export { StorageUnavailableError, StoredObjectMissingError } from './blobs.js';
export { PgRecordingRows } from './recording-rows.js';

/** Where recordings go and their keys (config.ts RecordingsConfig: RECORDINGS_URL, ...). */
export interface RecordingStorageSettings {
  /** file:///... or s3://bucket/prefix?endpoint=...&region=... */
  url: string;
  /** RECORDINGS_KEYS as given; null: the generated key in PostgreSQL. */
  keys: string | null;
  s3Credentials: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string | null;
  } | null;
}

/** The server_secrets row of the generated key (RECORDINGS_KEYS unset). */
export const GENERATED_KEY_SECRET = 'recordings-key';
/** Its key id in stored files and rows. */
export const GENERATED_KEY_ID = 'generated';

/**
 * The keyring: RECORDINGS_KEYS, or (unset) one key generated at the first start and kept in
 * PostgreSQL, with a warning outside development: a key beside the data it protects guards
 * against a lost disk or bucket, not against a lost database.
 */
export async function recordingKeyring(
  c: RecordingStorageSettings,
  pool: pg.Pool,
  logger: Logger,
  production: boolean,
): Promise<VaultKeyring> {
  if (c.keys !== null) return parseKeyring(c.keys);
  if (production)
    logger.warn('RECORDINGS_KEYS is unset: recordings are encrypted with a key kept in PostgreSQL');
  const secret = await loadOrCreateSecret(pool, GENERATED_KEY_SECRET);
  return new VaultKeyring([{ id: GENERATED_KEY_ID, key: Buffer.from(secret, 'base64url') }]);
}

/** The vault RECORDINGS_URL names, with its keys. */
export async function openRecordingVault(
  c: RecordingStorageSettings,
  pool: pg.Pool,
  logger: Logger,
  production: boolean,
): Promise<EncryptedVault> {
  const keys = await recordingKeyring(c, pool, logger, production);
  return createVault({ url: c.url, keys, s3Credentials: c.s3Credentials });
}
