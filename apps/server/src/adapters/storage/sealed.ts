import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { RingsideError } from '../../errors.js';

/**
 * The encrypted form of a stored recording (docs/recording.md, "Storage and retention"):
 * AES-256-GCM in chunks of CHUNK_BYTES plain bytes, each with its own random nonce and tag, so a
 * byte range decrypts by reading only the chunks that hold it.
 *
 * ```
 * header   magic "RSRV" | version u8 | keyIdLen u8 | chunkBytes u32 | plainBytes u64 |
 *          fileId 16 B | keyId (keyIdLen B, ASCII) | nonce 12 B | tag 16 B
 * chunk i  nonce 12 B | ciphertext (chunkBytes, the last one shorter) | tag 16 B
 * ```
 *
 * The header's tag is GCM over no plaintext with the header's fields as additional data, so a
 * changed length, chunk size or key id fails before any chunk is read. Each chunk's additional
 * data is fileId | index u64 | last u8: a chunk moved, swapped with another file's, or a file cut
 * at a chunk boundary fails authentication too (the length in the header says how many chunks
 * there must be).
 */
export const MAGIC = Buffer.from('RSRV', 'ascii');
export const FORMAT_VERSION = 1;
/** Plain bytes per chunk: 64 KiB (about 4 s of 8 kHz 16-bit audio). */
export const CHUNK_BYTES = 64 * 1024;
const NONCE = 12;
const TAG = 16;
/** A chunk's bytes besides its ciphertext. */
export const CHUNK_OVERHEAD = NONCE + TAG;
const FIXED = 4 + 1 + 1 + 4 + 8 + 16;
/** The longest header: FIXED + a 32-character key id + nonce + tag. */
export const MAX_HEADER_BYTES = FIXED + 32 + NONCE + TAG;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** A stored recording failed authentication, is cut short, or is not in this format. */
export class RecordingIntegrityError extends RingsideError {
  readonly code = 'RECORDING_INTEGRITY';
}

/** The stored recording names a key that RECORDINGS_KEYS does not hold. */
export class RecordingKeyError extends RingsideError {
  readonly code = 'RECORDING_KEY';
}

/** One AES-256 key and its id (RECORDINGS_KEYS). */
export interface VaultKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** The keys: the first encrypts, every one decrypts (rotation: docs/recording.md). */
export class VaultKeyring {
  readonly current: VaultKey;
  private readonly byId: Map<string, Buffer>;
  constructor(keys: readonly VaultKey[]) {
    const first = keys[0];
    if (!first) throw new RecordingKeyError('RECORDINGS_KEYS holds no key');
    this.byId = new Map();
    for (const k of keys) {
      if (!KEY_ID.test(k.id))
        throw new RecordingKeyError(`key id ${k.id} must be 1-32 of A-Za-z0-9_-`);
      if (k.key.length !== 32) throw new RecordingKeyError(`key ${k.id} must be 32 bytes`);
      if (this.byId.has(k.id)) throw new RecordingKeyError(`key id ${k.id} is given twice`);
      this.byId.set(k.id, k.key);
    }
    this.current = first;
  }
  get(id: string): Buffer {
    const k = this.byId.get(id);
    if (!k)
      throw new RecordingKeyError(
        `recording encrypted with key ${id}, which RECORDINGS_KEYS lacks`,
      );
    return k;
  }
  ids(): string[] {
    return [...this.byId.keys()];
  }
}

/**
 * Parses `k2:<base64 32 bytes>,k1:<base64>` (RECORDINGS_KEYS); throws naming the bad entry,
 * never echoing key material.
 */
export function parseKeyring(text: string): VaultKeyring {
  const keys: VaultKey[] = [];
  for (const [i, entry] of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .entries()) {
    const at = entry.indexOf(':');
    const id = at > 0 ? entry.slice(0, at) : '';
    if (!KEY_ID.test(id)) throw new RecordingKeyError(`entry ${i + 1} must be <id>:<base64 key>`);
    const key = Buffer.from(entry.slice(at + 1), 'base64');
    if (key.length !== 32) throw new RecordingKeyError(`key ${id} must be 32 bytes in base64`);
    keys.push({ id, key });
  }
  return new VaultKeyring(keys);
}

/** What a header says. */
export interface SealedHeader {
  keyId: string;
  chunkBytes: number;
  plainBytes: number;
  fileId: Buffer;
  /** The header's length in the stored object: where chunk 0 starts. */
  headerBytes: number;
}

/** The stored length of a recording of `plainBytes` sealed under `keyId`. */
export function sealedLength(plainBytes: number, keyId: string, chunkBytes = CHUNK_BYTES): number {
  const chunks = chunkCount(plainBytes, chunkBytes);
  return FIXED + keyId.length + NONCE + TAG + plainBytes + chunks * CHUNK_OVERHEAD;
}

function chunkCount(plainBytes: number, chunkBytes: number): number {
  return plainBytes === 0 ? 0 : Math.ceil(plainBytes / chunkBytes);
}

function chunkAad(fileId: Buffer, index: number, last: boolean): Buffer {
  const aad = Buffer.alloc(16 + 8 + 1);
  fileId.copy(aad, 0);
  aad.writeBigUInt64BE(BigInt(index), 16);
  aad[24] = last ? 1 : 0;
  return aad;
}

/** Encrypts `plain` with the keyring's current key. */
export function seal(plain: Buffer, key: VaultKey, chunkBytes = CHUNK_BYTES): Buffer {
  const out = Buffer.allocUnsafe(sealedLength(plain.length, key.id, chunkBytes));
  const fileId = randomBytes(16);
  let o = 0;
  o += MAGIC.copy(out, o);
  out[o++] = FORMAT_VERSION;
  out[o++] = key.id.length;
  o = out.writeUInt32BE(chunkBytes, o);
  o = out.writeBigUInt64BE(BigInt(plain.length), o);
  o += fileId.copy(out, o);
  o += out.write(key.id, o, 'ascii');
  const fields = out.subarray(0, o);
  const hn = randomBytes(NONCE);
  const hc = createCipheriv('aes-256-gcm', key.key, hn);
  hc.setAAD(fields);
  hc.final();
  o += hn.copy(out, o);
  o += hc.getAuthTag().copy(out, o);
  const n = chunkCount(plain.length, chunkBytes);
  for (let i = 0; i < n; i++) {
    const nonce = randomBytes(NONCE);
    const c = createCipheriv('aes-256-gcm', key.key, nonce);
    c.setAAD(chunkAad(fileId, i, i === n - 1));
    o += nonce.copy(out, o);
    o += c.update(plain.subarray(i * chunkBytes, (i + 1) * chunkBytes)).copy(out, o);
    c.final();
    o += c.getAuthTag().copy(out, o);
  }
  return out;
}

/**
 * Reads and authenticates a header from the first bytes of a stored object (at least
 * MAX_HEADER_BYTES of them, or the whole object when shorter).
 */
export function openHeader(head: Buffer, keys: VaultKeyring): SealedHeader {
  if (head.length < FIXED || !head.subarray(0, 4).equals(MAGIC))
    throw new RecordingIntegrityError('not an encrypted recording (bad magic)');
  if (head[4] !== FORMAT_VERSION)
    throw new RecordingIntegrityError(`unknown encrypted recording version ${head[4] ?? '?'}`);
  const idLen = head[5] ?? 0;
  const headerBytes = FIXED + idLen + NONCE + TAG;
  if (idLen < 1 || idLen > 32 || head.length < headerBytes)
    throw new RecordingIntegrityError('encrypted recording header is cut short');
  const chunkBytes = head.readUInt32BE(6);
  const plain = head.readBigUInt64BE(10);
  const fileId = Buffer.from(head.subarray(18, 34));
  const keyId = head.toString('ascii', FIXED, FIXED + idLen);
  if (!KEY_ID.test(keyId))
    throw new RecordingIntegrityError('encrypted recording key id is invalid');
  const key = keys.get(keyId);
  const nonce = head.subarray(FIXED + idLen, FIXED + idLen + NONCE);
  const tag = head.subarray(FIXED + idLen + NONCE, headerBytes);
  const d = createDecipheriv('aes-256-gcm', key, nonce);
  d.setAAD(head.subarray(0, FIXED + idLen));
  d.setAuthTag(tag);
  try {
    d.final();
  } catch (cause) {
    throw new RecordingIntegrityError('encrypted recording header failed authentication', {
      cause,
    });
  }
  if (chunkBytes < 1 || plain > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RecordingIntegrityError('encrypted recording header is invalid');
  return { keyId, chunkBytes, plainBytes: Number(plain), fileId, headerBytes };
}

/** Where the chunks that hold plain bytes [start, endInclusive] are in the stored object. */
export function chunkSpan(
  h: SealedHeader,
  start: number,
  endInclusive: number,
): { first: number; last: number; offset: number; length: number } {
  const first = Math.floor(start / h.chunkBytes);
  const last = Math.floor(endInclusive / h.chunkBytes);
  const stride = h.chunkBytes + CHUNK_OVERHEAD;
  const offset = h.headerBytes + first * stride;
  const n = chunkCount(h.plainBytes, h.chunkBytes);
  const lastLen = last === n - 1 ? h.plainBytes - last * h.chunkBytes : h.chunkBytes;
  const length = (last - first) * stride + lastLen + CHUNK_OVERHEAD;
  return { first, last, offset, length };
}

/**
 * Decrypts chunks [first, first + k) read contiguously from the stored object (`bytes` starts at
 * chunk `first`), authenticating each; returns the plain bytes of those chunks.
 */
export function openChunks(
  h: SealedHeader,
  key: Buffer,
  first: number,
  count: number,
  bytes: Buffer,
): Buffer {
  const n = chunkCount(h.plainBytes, h.chunkBytes);
  const parts: Buffer[] = [];
  let o = 0;
  for (let i = first; i < first + count; i++) {
    const len = i === n - 1 ? h.plainBytes - i * h.chunkBytes : h.chunkBytes;
    if (i >= n || o + CHUNK_OVERHEAD + len > bytes.length)
      throw new RecordingIntegrityError(`encrypted recording is cut short at chunk ${i}`);
    const nonce = bytes.subarray(o, o + NONCE);
    const body = bytes.subarray(o + NONCE, o + NONCE + len);
    const tag = bytes.subarray(o + NONCE + len, o + CHUNK_OVERHEAD + len);
    const d = createDecipheriv('aes-256-gcm', key, nonce);
    d.setAAD(chunkAad(h.fileId, i, i === n - 1));
    d.setAuthTag(tag);
    try {
      parts.push(d.update(body));
      d.final();
    } catch (cause) {
      throw new RecordingIntegrityError(`encrypted recording chunk ${i} failed authentication`, {
        cause,
      });
    }
    o += CHUNK_OVERHEAD + len;
  }
  return parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts);
}

/** Random-access reads of one stored object: `length` bytes at `offset` (fewer at its end). */
export type ReadAt = (offset: number, length: number) => Promise<Buffer>;

/** Chunks decrypted per read: 16 x 64 KiB, one request per MiB on S3. */
const CHUNKS_PER_READ = 16;

/**
 * The plain bytes [start, endInclusive] of a stored object, read CHUNKS_PER_READ chunks at a
 * time; yields as it goes, so a long range does not sit in memory whole.
 */
export async function* openRange(
  h: SealedHeader,
  keys: VaultKeyring,
  readAt: ReadAt,
  start: number,
  endInclusive: number,
): AsyncGenerator<Buffer> {
  if (!Number.isInteger(start) || !Number.isInteger(endInclusive) || start < 0)
    throw new RangeError(`invalid range ${start}-${endInclusive}`);
  if (endInclusive < start || endInclusive >= h.plainBytes)
    throw new RangeError(`range ${start}-${endInclusive} is outside 0-${h.plainBytes - 1}`);
  const key = keys.get(h.keyId);
  const span = chunkSpan(h, start, endInclusive);
  for (let c = span.first; c <= span.last; c += CHUNKS_PER_READ) {
    const upTo = Math.min(span.last, c + CHUNKS_PER_READ - 1);
    const part = chunkSpan(h, c * h.chunkBytes, upTo * h.chunkBytes);
    const bytes = await readAt(part.offset, part.length);
    const plain = openChunks(h, key, c, upTo - c + 1, bytes);
    const base = c * h.chunkBytes;
    const from = Math.max(start - base, 0);
    const to = Math.min(endInclusive - base + 1, plain.length);
    yield plain.subarray(from, to);
  }
}

/**
 * Decrypts a whole stored object held in memory (re-encryption, tests); checks that nothing
 * follows the last chunk.
 */
export function openAll(sealed: Buffer, keys: VaultKeyring): { plain: Buffer; keyId: string } {
  const h = openHeader(sealed.subarray(0, MAX_HEADER_BYTES), keys);
  const expected = sealedLength(h.plainBytes, h.keyId, h.chunkBytes);
  if (sealed.length !== expected)
    throw new RecordingIntegrityError(
      `encrypted recording is ${sealed.length} bytes, its header says ${expected}`,
    );
  if (h.plainBytes === 0) return { plain: Buffer.alloc(0), keyId: h.keyId };
  const n = chunkCount(h.plainBytes, h.chunkBytes);
  const plain = openChunks(h, keys.get(h.keyId), 0, n, sealed.subarray(h.headerBytes));
  return { plain, keyId: h.keyId };
}
