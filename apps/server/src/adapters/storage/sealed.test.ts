import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CHUNK_BYTES,
  CHUNK_OVERHEAD,
  MAX_HEADER_BYTES,
  openAll,
  openHeader,
  openRange,
  parseKeyring,
  RecordingIntegrityError,
  RecordingKeyError,
  seal,
  sealedLength,
  VaultKeyring,
} from './sealed.js';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };
const ring = new VaultKeyring([k1]);

async function range(sealed: Buffer, keys: VaultKeyring, start: number, end: number) {
  const h = openHeader(sealed.subarray(0, MAX_HEADER_BYTES), keys);
  const reads: Array<[number, number]> = [];
  const parts: Buffer[] = [];
  for await (const p of openRange(
    h,
    keys,
    async (o, n) => {
      reads.push([o, n]);
      return sealed.subarray(o, o + n);
    },
    start,
    end,
  ))
    parts.push(p);
  return { bytes: Buffer.concat(parts), reads };
}

describe('sealed recordings (AES-256-GCM in 64 KiB chunks)', () => {
  it('round-trips files of every awkward size', () => {
    for (const n of [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES + 17]) {
      const plain = randomBytes(n);
      const sealed = seal(plain, k1);
      expect(sealed.length).toBe(sealedLength(n, 'k1'));
      const opened = openAll(sealed, ring);
      expect(opened.keyId).toBe('k1');
      expect(opened.plain.equals(plain)).toBe(true);
    }
  });

  it('reads ranges across chunk edges, fetching only the chunks that hold them', async () => {
    const plain = randomBytes(5 * CHUNK_BYTES + 1000);
    const sealed = seal(plain, k1);
    const cases: Array<[number, number]> = [
      [0, 0],
      [CHUNK_BYTES - 1, CHUNK_BYTES],
      [CHUNK_BYTES - 10, 3 * CHUNK_BYTES + 10],
      [5 * CHUNK_BYTES, plain.length - 1],
      [0, plain.length - 1],
      [2 * CHUNK_BYTES + 5, 2 * CHUNK_BYTES + 5],
    ];
    for (const [s, e] of cases) {
      const { bytes, reads } = await range(sealed, ring, s, e);
      expect(bytes.equals(plain.subarray(s, e + 1))).toBe(true);
      const chunks = Math.floor(e / CHUNK_BYTES) - Math.floor(s / CHUNK_BYTES) + 1;
      const readBytes = reads.reduce((a, [, n]) => a + n, 0);
      expect(readBytes).toBeLessThanOrEqual(chunks * (CHUNK_BYTES + CHUNK_OVERHEAD));
    }
  });

  it('refuses a range outside the file', async () => {
    const sealed = seal(randomBytes(100), k1);
    await expect(range(sealed, ring, 50, 100)).rejects.toThrow(RangeError);
    await expect(range(sealed, ring, 10, 5)).rejects.toThrow(RangeError);
  });

  it('fails authentication when a byte of a chunk is changed', async () => {
    const plain = randomBytes(2 * CHUNK_BYTES);
    const sealed = seal(plain, k1);
    const h = openHeader(sealed, ring);
    const bad = Buffer.from(sealed);
    bad.writeUInt8(
      bad.readUInt8(h.headerBytes + CHUNK_OVERHEAD + CHUNK_BYTES + 40) ^ 1,
      h.headerBytes + CHUNK_OVERHEAD + CHUNK_BYTES + 40,
    ); // inside chunk 1's ciphertext
    expect(() => openAll(bad, ring)).toThrow(RecordingIntegrityError);
    expect(() => openAll(bad, ring)).toThrow(/chunk 1 failed authentication/);
    // Chunk 0 alone still reads: only the chunks a range needs are checked.
    expect((await range(bad, ring, 0, 100)).bytes.equals(plain.subarray(0, 101))).toBe(true);
    await expect(range(bad, ring, CHUNK_BYTES, CHUNK_BYTES + 1)).rejects.toThrow(
      RecordingIntegrityError,
    );
  });

  it('fails when the header is changed (the plain length made longer)', () => {
    const sealed = seal(randomBytes(1000), k1);
    const bad = Buffer.from(sealed);
    bad.writeBigUInt64BE(2000n, 10);
    expect(() => openHeader(bad, ring)).toThrow(/header failed authentication/);
  });

  it('fails when chunks are swapped or the file is cut at a chunk boundary', async () => {
    const plain = randomBytes(3 * CHUNK_BYTES);
    const sealed = seal(plain, k1);
    const h = openHeader(sealed, ring);
    const stride = CHUNK_BYTES + CHUNK_OVERHEAD;
    const swapped = Buffer.concat([
      sealed.subarray(0, h.headerBytes),
      sealed.subarray(h.headerBytes + stride, h.headerBytes + 2 * stride),
      sealed.subarray(h.headerBytes, h.headerBytes + stride),
      sealed.subarray(h.headerBytes + 2 * stride),
    ]);
    expect(() => openAll(swapped, ring)).toThrow(RecordingIntegrityError);
    const cut = sealed.subarray(0, h.headerBytes + 2 * stride);
    expect(() => openAll(cut, ring)).toThrow(/bytes, its header says/);
    await expect(range(cut, ring, 2 * CHUNK_BYTES, 2 * CHUNK_BYTES + 1)).rejects.toThrow(
      /cut short/,
    );
  });

  it('does not open a chunk copied from another file sealed with the same key', () => {
    const a = seal(randomBytes(CHUNK_BYTES), k1);
    const b = seal(randomBytes(CHUNK_BYTES), k1);
    const h = openHeader(a, ring);
    const mixed = Buffer.concat([a.subarray(0, h.headerBytes), b.subarray(h.headerBytes)]);
    expect(() => openAll(mixed, ring)).toThrow(/chunk 0 failed authentication/);
  });

  it('names a missing key, and fails with a wrong key under the same id', () => {
    const sealed = seal(randomBytes(10), k2);
    expect(() => openAll(sealed, ring)).toThrow(RecordingKeyError);
    const impostor = new VaultKeyring([{ id: 'k2', key: randomBytes(32) }]);
    expect(() => openAll(sealed, impostor)).toThrow(RecordingIntegrityError);
  });

  it('rotates: the first key encrypts, every key decrypts', () => {
    const old = seal(Buffer.from('old'), k1);
    const rotated = parseKeyring(
      `k2:${k2.key.toString('base64')}, k1:${k1.key.toString('base64')}`,
    );
    expect(rotated.current.id).toBe('k2');
    expect(openAll(old, rotated).plain.toString()).toBe('old');
    const fresh = seal(Buffer.from('new'), rotated.current);
    expect(openAll(fresh, rotated).keyId).toBe('k2');
  });

  it('refuses bad RECORDINGS_KEYS without echoing key material', () => {
    expect(() => parseKeyring('')).toThrow(/no key/);
    expect(() => parseKeyring('k1:c2hvcnQ=')).toThrow(/k1 must be 32 bytes/);
    const secret = randomBytes(32).toString('base64');
    expect(() => parseKeyring(`k 1:${secret}`)).toThrow(/entry 1/);
    let message = '';
    try {
      parseKeyring(`k1:${secret},k1:${secret}`);
    } catch (e) {
      message = String(e);
    }
    expect(message).toMatch(/given twice/);
    expect(message).not.toContain(secret);
  });

  it('refuses what is not an encrypted recording', () => {
    expect(() => openHeader(Buffer.from('RIFF....WAVEfmt '), ring)).toThrow(/bad magic/);
  });
});
