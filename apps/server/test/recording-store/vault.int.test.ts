import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVault,
  RecordingIntegrityError,
  StorageUnavailableError,
  StoredObjectMissingError,
  VaultKeyring,
  type EncryptedVault,
} from '../../src/adapters/storage/index.js';
import { StorageUrlError } from '../../src/adapters/storage/blobs.js';
import { CHUNK_BYTES } from '../../src/adapters/storage/sealed.js';
import { S3RVER_CREDENTIALS, startLocalS3, type LocalS3 } from './s3-server.js';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

async function text(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(Buffer.from(p as Buffer));
  return Buffer.concat(parts);
}

let dir: string;
let s3: LocalS3;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ringside-vault-'));
  s3 = await startLocalS3(4569);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await s3.dispose();
});

const kinds = [
  {
    name: 'local directory',
    make: (keys: VaultKeyring, sub = 'a') =>
      createVault({ url: pathToFileURL(join(dir, sub)).href, keys }),
  },
  {
    name: 'S3 (s3rver)',
    make: (keys: VaultKeyring, sub = 'a') =>
      createVault({ url: s3.url(`recordings/${sub}`), keys, s3Credentials: S3RVER_CREDENTIALS }),
  },
];

describe.each(kinds)('recording vault on $name', ({ make }) => {
  const plain = randomBytes(3 * CHUNK_BYTES + 123);
  let vault: EncryptedVault;
  beforeAll(() => {
    vault = make(new VaultKeyring([k1]));
  });
  afterAll(() => vault.close());

  it('writes encrypted, reads back whole and in ranges across chunk edges', async () => {
    const stored = await vault.put('2026/12/07/rec-1.wav', plain);
    expect(stored.plainBytes).toBe(plain.length);
    expect(stored.keyId).toBe('k1');
    expect(stored.storedBytes).toBeGreaterThan(plain.length);
    expect(await vault.plainSize(stored.url)).toBe(plain.length);
    expect((await vault.readAll(stored.url)).equals(plain)).toBe(true);
    for (const [s, e] of [
      [0, 10],
      [CHUNK_BYTES - 3, CHUNK_BYTES + 3],
      [CHUNK_BYTES + 1, 3 * CHUNK_BYTES + 122],
    ] as const) {
      const got = await text(await vault.readRange(stored.url, s, e));
      expect(got.equals(plain.subarray(s, e + 1))).toBe(true);
    }
  });

  it('does not keep the audio in the clear', async () => {
    const wav = Buffer.concat([Buffer.from('RIFF----WAVEfmt '), randomBytes(1000)]);
    const stored = await vault.put('clear/rec-2.wav', wav);
    const raw = await vault.blobs.read(stored.url, 0, stored.storedBytes);
    expect(raw.includes(Buffer.from('WAVEfmt'))).toBe(false);
    expect(raw.includes(wav.subarray(100, 132))).toBe(false);
  });

  it('rejects a missing object and deletes quietly', async () => {
    const stored = await vault.put('gone/rec-3.wav', Buffer.from('x'));
    await vault.delete(stored.url);
    await vault.delete(stored.url);
    await expect(vault.readRange(stored.url, 0, 0)).rejects.toThrow(StoredObjectMissingError);
  });

  it('refuses urls outside its directory or bucket prefix', async () => {
    await expect(vault.plainSize('file:///etc/passwd')).rejects.toThrow(StorageUrlError);
    await expect(vault.plainSize('s3://other/x.wav')).rejects.toThrow(StorageUrlError);
    await expect(vault.put('../escape.wav', Buffer.from('x'))).rejects.toThrow(StorageUrlError);
  });

  it('re-encrypts with a new key (rotation) and then reads without the old one', async () => {
    const stored = await vault.put('rot/rec-4.wav', plain);
    const both = make(new VaultKeyring([k2, k1]));
    const again = await both.rekey(stored.url);
    expect(again?.url).toBe(stored.url);
    expect(again?.keyId).toBe('k2');
    expect(await both.rekey(stored.url)).toBeNull();
    const onlyNew = make(new VaultKeyring([k2]));
    expect((await onlyNew.readAll(stored.url)).equals(plain)).toBe(true);
    await expect(vault.readAll(stored.url)).rejects.toThrow(/key k2, which RECORDINGS_KEYS lacks/);
    both.close();
    onlyNew.close();
  });

  it('check() writes and deletes a probe', async () => {
    await expect(vault.check()).resolves.toBeUndefined();
  });
});

describe('recording vault faults', () => {
  it('local: a changed byte on disk fails authentication', async () => {
    const vault = createVault({
      url: pathToFileURL(join(dir, 'tamper')).href,
      keys: new VaultKeyring([k1]),
    });
    const stored = await vault.put('rec-5.wav', randomBytes(CHUNK_BYTES * 2));
    const path = new URL(stored.url);
    const bytes = await readFile(path);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 100) ^ 0x80, bytes.length - 100);
    await writeFile(path, bytes);
    await expect(vault.readAll(stored.url)).rejects.toThrow(RecordingIntegrityError);
    await expect(vault.readRange(stored.url, CHUNK_BYTES, CHUNK_BYTES + 5)).rejects.toThrow(
      /chunk 1 failed authentication/,
    );
    // Truncated: the last chunk is gone.
    await writeFile(path, bytes.subarray(0, bytes.length - CHUNK_BYTES / 2));
    await expect(vault.readRange(stored.url, CHUNK_BYTES, CHUNK_BYTES + 5)).rejects.toThrow(
      /cut short/,
    );
  });

  it('local: a directory that cannot be written is "storage unavailable", nothing half written', async () => {
    // Root ignores permission bits: a file where the directory should be refuses every write.
    const blocked = join(dir, 'blocked');
    await writeFile(blocked, 'not a directory');
    const vault = createVault({ url: pathToFileURL(blocked).href, keys: new VaultKeyring([k1]) });
    await expect(vault.put('2026/rec-6.wav', Buffer.from('x'))).rejects.toThrow(
      StorageUnavailableError,
    );
  });

  // s3rver checks the access key but not a SigV4 signature: the signing itself is checked
  // against AWS's published example in s3.test.ts.
  it('S3: an unknown access key is refused by the server', async () => {
    const vault = createVault({
      url: s3.url('recordings/bad'),
      keys: new VaultKeyring([k1]),
      s3Credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'wrong' },
    });
    await expect(vault.put('rec-7.wav', Buffer.from('x'))).rejects.toThrow(
      /403 InvalidAccessKeyId/,
    );
    vault.close();
  });

  it('S3: a stopped server is "storage unavailable"; started again, objects are still there', async () => {
    const vault = createVault({
      url: s3.url('recordings/down'),
      keys: new VaultKeyring([k1]),
      s3Credentials: S3RVER_CREDENTIALS,
    });
    const stored = await vault.put('rec-8.wav', Buffer.from('kept'));
    await s3.stop();
    try {
      await expect(vault.put('rec-9.wav', Buffer.from('x'))).rejects.toThrow(
        StorageUnavailableError,
      );
    } finally {
      await s3.start();
    }
    expect((await vault.readAll(stored.url)).toString()).toBe('kept');
    vault.close();
  });
});
