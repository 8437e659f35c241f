import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ConfigError } from '../../errors.js';
import type { RecordingVault, StoredObject } from '../../ports/recording-vault.js';
import { LocalBlobStore, type BlobStore } from './blobs.js';
import { S3BlobStore, type S3Credentials } from './s3.js';
import {
  MAX_HEADER_BYTES,
  openAll,
  openHeader,
  openRange,
  seal,
  sealedLength,
  type SealedHeader,
  type VaultKeyring,
} from './sealed.js';

/**
 * The RecordingVault (ports/recording-vault.ts): AES-256-GCM chunks (sealed.ts) in a blob store
 * (blobs.ts: a local directory; s3.ts: S3-compatible storage).
 */
export class EncryptedVault implements RecordingVault {
  constructor(
    readonly blobs: BlobStore,
    readonly keys: VaultKeyring,
  ) {}

  async put(key: string, plain: Buffer): Promise<StoredObject> {
    const k = this.keys.current;
    const sealed = seal(plain, k);
    await this.blobs.put(key, sealed);
    return {
      url: this.blobs.urlOf(key),
      plainBytes: plain.length,
      storedBytes: sealed.length,
      keyId: k.id,
    };
  }

  private async header(url: string): Promise<SealedHeader> {
    const head = await this.blobs.read(url, 0, MAX_HEADER_BYTES);
    return openHeader(head, this.keys);
  }

  async plainSize(url: string): Promise<number> {
    return (await this.header(url)).plainBytes;
  }

  /** The key id and plain length of a stored object (its header, authenticated). */
  async describe(url: string): Promise<{ keyId: string; plainBytes: number }> {
    const h = await this.header(url);
    return { keyId: h.keyId, plainBytes: h.plainBytes };
  }

  async readRange(url: string, start: number, endInclusive: number): Promise<Readable> {
    const h = await this.header(url);
    const chunks = openRange(
      h,
      this.keys,
      (o, n) => this.blobs.read(url, o, n),
      start,
      endInclusive,
    );
    // The first chunk is read before returning, so a missing or tampered object rejects here
    // rather than failing the stream after a 206 has been sent.
    const first = await chunks.next();
    async function* rest(): AsyncGenerator<Buffer> {
      if (!first.done) yield first.value;
      yield* chunks;
    }
    return Readable.from(rest(), { objectMode: false });
  }

  /** The whole plain object, authenticated (re-encryption, checks). */
  async readAll(url: string): Promise<Buffer> {
    const h = await this.header(url);
    const sealed = await this.blobs.read(
      url,
      0,
      sealedLength(h.plainBytes, h.keyId, h.chunkBytes) + 1,
    );
    return openAll(sealed, this.keys).plain;
  }

  /**
   * Re-encrypts a stored object with the current key in place (same url), for key rotation;
   * returns null when it already uses the current key.
   */
  async rekey(url: string): Promise<StoredObject | null> {
    const h = await this.header(url);
    if (h.keyId === this.keys.current.id) return null;
    const plain = await this.readAll(url);
    // Written whole under the same name (local: a rename; S3: one PUT), so a reader sees the
    // old object or the new one, both readable while both keys are configured.
    return this.put(this.blobs.keyOf(url), plain);
  }

  async delete(url: string): Promise<void> {
    await this.blobs.delete(url);
  }

  async check(): Promise<void> {
    const key = `.probe/${randomBytes(8).toString('hex')}`;
    await this.blobs.put(key, seal(Buffer.from('probe'), this.keys.current));
    await this.blobs.delete(this.blobs.urlOf(key));
  }

  close(): void {
    if (this.blobs instanceof S3BlobStore) this.blobs.close();
  }
}

export interface VaultOptions {
  /** RECORDINGS_URL: file:///dir or s3://bucket/prefix?endpoint=...&region=... */
  url: string;
  keys: VaultKeyring;
  /** For s3:// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). */
  s3Credentials?: S3Credentials | null;
}

/** The vault RECORDINGS_URL names. */
export function createVault(o: VaultOptions): EncryptedVault {
  if (o.url.startsWith('file:')) return new EncryptedVault(new LocalBlobStore(o.url), o.keys);
  if (o.url.startsWith('s3:')) {
    if (!o.s3Credentials)
      throw new ConfigError(
        'configuration: RECORDINGS_URL is s3:// but AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are unset',
      );
    return new EncryptedVault(new S3BlobStore(o.url, { credentials: o.s3Credentials }), o.keys);
  }
  throw new ConfigError('configuration: RECORDINGS_URL must start with file:// or s3://');
}
