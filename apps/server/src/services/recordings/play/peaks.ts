import { errorKind } from '../../../errors.js';

/** A stored file that is not a PCM WAV the player's waveform can be drawn from. */
export class BadAudioError extends errorKind('BAD_AUDIO', 422) {}

/** The waveform of a WAV: `buckets` pairs (min, max), each -127..127, interleaved. */
export interface Peaks {
  buckets: number;
  durationMs: number;
  peaks: Int8Array;
}

/** The default waveform width: 800 pairs (a 1 600-byte answer, enough for a full-width player). */
export const DEFAULT_PEAK_BUCKETS = 800;

/** The most header bytes read before the data chunk (fmt, LIST, fact ... chunks). */
const MAX_HEADER_BYTES = 64 * 1024;

interface Format {
  channels: number;
  sampleRate: number;
  bitsPerSample: 8 | 16;
  blockAlign: number;
}

/**
 * Where the samples start and what they are, or null when more bytes are needed. Throws
 * BadAudioError on anything but PCM (8 or 16 bit) RIFF/WAVE.
 */
function parseHeader(
  head: Buffer,
): { format: Format; dataOffset: number; dataBytes: number } | null {
  if (head.length < 12) return null;
  if (head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE')
    throw new BadAudioError('not a WAV file (no RIFF/WAVE header)');
  let at = 12;
  let format: Format | null = null;
  while (at + 8 <= head.length) {
    const id = head.toString('ascii', at, at + 4);
    const size = head.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'data') {
      if (!format) throw new BadAudioError('WAV data before its fmt chunk');
      return { format, dataOffset: body, dataBytes: size };
    }
    if (body + size > head.length) return null;
    if (id === 'fmt ') {
      if (size < 16) throw new BadAudioError('WAV fmt chunk too short');
      const tag = head.readUInt16LE(body);
      const channels = head.readUInt16LE(body + 2);
      const sampleRate = head.readUInt32LE(body + 4);
      const blockAlign = head.readUInt16LE(body + 12);
      const bits = head.readUInt16LE(body + 14);
      // 1: PCM; 0xFFFE: extensible (PCM inside for what Asterisk writes).
      if (tag !== 1 && tag !== 0xfffe) throw new BadAudioError(`WAV format ${tag} is not PCM`);
      if (bits !== 8 && bits !== 16) throw new BadAudioError(`WAV of ${bits}-bit samples`);
      if (channels < 1 || sampleRate < 1 || blockAlign !== (channels * bits) / 8)
        throw new BadAudioError('WAV fmt chunk inconsistent');
      format = { channels, sampleRate, bitsPerSample: bits, blockAlign };
    }
    // Chunks are padded to an even length.
    at = body + size + (size % 2);
  }
  return null;
}

/**
 * Computes the waveform of a WAV read as a stream (the vault's decrypted bytes), in one pass and
 * constant memory. `totalBytes`: the file's plain length, which bounds the data chunk when its
 * header says more (or 0, as a recording cut short may).
 */
export async function wavPeaks(
  chunks: AsyncIterable<Buffer | Uint8Array | string>,
  totalBytes: number,
  wantBuckets = DEFAULT_PEAK_BUCKETS,
): Promise<Peaks> {
  let head: Buffer = Buffer.alloc(0);
  let fmt: Format | null = null;
  let frames = 0;
  let buckets = 1;
  let mins = new Int8Array(1);
  let maxs = new Int8Array(1);
  let touched = new Uint8Array(1);
  let frame = 0;
  let carry: Buffer = Buffer.alloc(0);

  const consume = (buf: Buffer): void => {
    if (!fmt) return;
    const f = fmt;
    const data = carry.length ? Buffer.concat([carry, buf]) : buf;
    const usable = Math.min(
      data.length - (data.length % f.blockAlign),
      (frames - frame) * f.blockAlign,
    );
    for (let off = 0; off < usable; off += f.blockAlign) {
      const b = Math.min(buckets - 1, Math.floor((frame * buckets) / frames));
      let lo = 127;
      let hi = -127;
      for (let c = 0; c < f.channels; c++) {
        const v =
          f.bitsPerSample === 16
            ? data.readInt16LE(off + c * 2) >> 8
            : data.readUInt8(off + c) - 128;
        const s = Math.max(-127, Math.min(127, v));
        if (s < lo) lo = s;
        if (s > hi) hi = s;
      }
      if (!touched[b]) {
        touched[b] = 1;
        mins[b] = lo;
        maxs[b] = hi;
      } else {
        if (lo < (mins[b] ?? 0)) mins[b] = lo;
        if (hi > (maxs[b] ?? 0)) maxs[b] = hi;
      }
      frame++;
    }
    carry = frame < frames ? Buffer.from(data.subarray(usable)) : Buffer.alloc(0);
  };

  for await (const piece of chunks) {
    const buf = typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece);
    if (fmt) {
      consume(buf);
      continue;
    }
    head = Buffer.concat([head, buf]);
    const h = parseHeader(head);
    if (!h) {
      if (head.length > MAX_HEADER_BYTES) throw new BadAudioError('WAV header too long');
      continue;
    }
    fmt = h.format;
    const rest = Math.max(0, totalBytes - h.dataOffset);
    const dataBytes = h.dataBytes > 0 && h.dataBytes < rest ? h.dataBytes : rest;
    frames = Math.floor(dataBytes / fmt.blockAlign);
    buckets = Math.max(1, Math.min(wantBuckets, frames));
    mins = new Int8Array(buckets);
    maxs = new Int8Array(buckets);
    touched = new Uint8Array(buckets);
    consume(head.subarray(h.dataOffset));
    head = Buffer.alloc(0);
  }
  if (!fmt) throw new BadAudioError('WAV ends before its data chunk');
  const peaks = new Int8Array(buckets * 2);
  for (let b = 0; b < buckets; b++) {
    peaks[b * 2] = mins[b] ?? 0;
    peaks[b * 2 + 1] = maxs[b] ?? 0;
  }
  return { buckets, durationMs: Math.round((frames * 1000) / fmt.sampleRate), peaks };
}
