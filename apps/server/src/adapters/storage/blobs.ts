import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RingsideError } from '../../errors.js';

/**
 * Where the encrypted bytes go: a local directory or an S3 bucket. The vault (vault.ts) encrypts
 * and decrypts; a blob store only writes, reads ranges of and deletes opaque objects.
 */
export interface BlobStore {
  /** The url an object written under `key` gets (file:///... or s3://bucket/prefix/key). */
  urlOf(key: string): string;
  /** The key of one of this store's urls (the inverse of urlOf); throws for any other url. */
  keyOf(url: string): string;
  /** Writes the whole object at once: a reader never sees half of it. */
  put(key: string, data: Buffer): Promise<void>;
  /** Up to `length` bytes at `offset` (fewer at the object's end). */
  read(url: string, offset: number, length: number): Promise<Buffer>;
  /** A missing object is not an error. */
  delete(url: string): Promise<void>;
}

/** Storage did not answer, or refused a write (disk full, read-only, S3 down): retry later. */
export class StorageUnavailableError extends RingsideError {
  readonly code = 'STORAGE_UNAVAILABLE';
  override readonly retryable = true;
  override readonly httpStatus = 503;
}

/** The stored recording is not there. */
export class StoredObjectMissingError extends RingsideError {
  readonly code = 'STORED_OBJECT_MISSING';
  override readonly httpStatus = 404;
}

/** A url that is not of this store (or leaves its directory): never read. */
export class StorageUrlError extends RingsideError {
  readonly code = 'STORAGE_URL';
  override readonly httpStatus = 400;
}

const SEGMENT = /^[A-Za-z0-9._-]{1,200}$/;

/** Checks an object key: relative, '/'-separated segments of A-Za-z0-9._- , no '.' or '..'. */
export function checkKey(key: string): string {
  const parts = key.split('/');
  if (key.length > 512 || !parts.every((p) => SEGMENT.test(p) && p !== '.' && p !== '..'))
    throw new StorageUrlError(`invalid object key ${JSON.stringify(key.slice(0, 80))}`);
  return key;
}

function errnoOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
}

/** A local directory (RECORDINGS_URL=file:///var/lib/ringside/recordings). */
export class LocalBlobStore implements BlobStore {
  readonly root: string;
  constructor(rootUrl: string) {
    this.root = resolve(fileURLToPath(rootUrl));
  }

  urlOf(key: string): string {
    return pathToFileURL(join(this.root, checkKey(key))).href;
  }

  keyOf(url: string): string {
    return checkKey(relative(this.root, this.pathOf(url)).split(sep).join('/'));
  }

  private pathOf(url: string): string {
    let p: string;
    try {
      p = resolve(fileURLToPath(url));
    } catch (cause) {
      throw new StorageUrlError('not a file: url', { cause });
    }
    if (!p.startsWith(this.root + sep))
      throw new StorageUrlError('url outside the recordings directory');
    return p;
  }

  async put(key: string, data: Buffer): Promise<void> {
    const path = join(this.root, checkKey(key));
    // Written beside, then renamed: a crash leaves a stray .tmp file, never half an object.
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(tmp, data, { flush: true });
      await rename(tmp, path);
    } catch (cause) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw new StorageUnavailableError(
        `local storage refused the write (${errnoOf(cause) || 'error'})`,
        {
          cause,
        },
      );
    }
  }

  async read(url: string, offset: number, length: number): Promise<Buffer> {
    const path = this.pathOf(url);
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (cause) {
      if (errnoOf(cause) === 'ENOENT')
        throw new StoredObjectMissingError('stored recording not found', { cause });
      throw new StorageUnavailableError(
        `local storage refused the read (${errnoOf(cause) || 'error'})`,
        {
          cause,
        },
      );
    }
    try {
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    } finally {
      await fh.close();
    }
  }

  async delete(url: string): Promise<void> {
    const path = this.pathOf(url);
    try {
      await rm(path, { force: true });
    } catch (cause) {
      throw new StorageUnavailableError(
        `local storage refused the delete (${errnoOf(cause) || 'error'})`,
        {
          cause,
        },
      );
    }
  }
}
