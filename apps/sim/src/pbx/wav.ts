/**
 * WAV as Asterisk's `wav` format writes it: RIFF, one 16-byte `fmt ` chunk (PCM, mono, 8,000 Hz,
 * 16-bit little-endian), then `data`; a 44-byte header. The simulated PBX's recordings only; the
 * server's WAV checks are its own (docs/recording.md).
 */

/** Samples per second of every simulated recording (Asterisk's slin, `wav` format). */
export const WAV_RATE_HZ = 8000;
export const WAV_HEADER_BYTES = 44;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A WAV file of these 16-bit samples (mono, 8 kHz). */
export function encodeWav(samples: Int16Array): Buffer {
  const dataBytes = samples.length * 2;
  const out = Buffer.alloc(WAV_HEADER_BYTES + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(WAV_RATE_HZ, 24);
  out.writeUInt32LE(WAV_RATE_HZ * 2, 28); // byte rate
  out.writeUInt16LE(2, 32); // block align
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  if (LITTLE_ENDIAN) {
    Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).copy(out, WAV_HEADER_BYTES);
  } else {
    for (let i = 0; i < samples.length; i++) {
      out.writeInt16LE(samples[i] ?? 0, WAV_HEADER_BYTES + i * 2);
    }
  }
  return out;
}

/**
 * The samples of a mono 8 kHz 16-bit PCM WAV (walks the chunks, so a file with extra chunks
 * reads too); throws a TypeError naming what is wrong for anything else.
 */
export function decodeWav(file: Buffer): Int16Array {
  if (file.length < 12 || file.toString('ascii', 0, 4) !== 'RIFF') {
    throw new TypeError('not a RIFF file');
  }
  if (file.toString('ascii', 8, 12) !== 'WAVE') throw new TypeError('not a WAVE file');
  let at = 12;
  let fmtSeen = false;
  while (at + 8 <= file.length) {
    const id = file.toString('ascii', at, at + 4);
    const size = file.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > file.length) throw new TypeError('fmt chunk too short');
      const format = file.readUInt16LE(body);
      const channels = file.readUInt16LE(body + 2);
      const rate = file.readUInt32LE(body + 4);
      const bits = file.readUInt16LE(body + 14);
      if (format !== 1 || channels !== 1 || rate !== WAV_RATE_HZ || bits !== 16) {
        throw new TypeError('not mono 8 kHz 16-bit PCM');
      }
      fmtSeen = true;
    } else if (id === 'data') {
      if (!fmtSeen) throw new TypeError('data chunk before fmt chunk');
      const end = Math.min(file.length, body + size);
      const n = Math.floor((end - body) / 2);
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = file.readInt16LE(body + i * 2);
      return out;
    }
    at = body + size + (size % 2);
  }
  throw new TypeError('no data chunk');
}

/** Length of `samples` at 8 kHz, ms. */
export const samplesToMs = (samples: number): number => (samples * 1000) / WAV_RATE_HZ;

/**
 * Goertzel power of one frequency over samples [from, to), normalised so that a full-scale sine
 * at that frequency gives about 0.25 and silence 0. For tests that check which voices a file holds.
 */
export function tonePower(samples: Int16Array, hz: number, from = 0, to = samples.length): number {
  const n = Math.max(0, to - from);
  if (n === 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / WAV_RATE_HZ);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s0 = (samples[i] ?? 0) / 32768 + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return power / (n * n);
}
