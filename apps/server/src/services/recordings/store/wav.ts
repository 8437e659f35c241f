import { RingsideError } from '../../../errors.js';

/**
 * The WAV files Asterisk writes for a bridge recording (format wav: RIFF, PCM; 8 kHz 16-bit mono
 * on slin, 16 kHz on slin16): checked, then joined into one file of the call.
 */

/** What a WAV file holds, and where its samples are. */
export interface WavInfo {
  /** 1 = PCM. */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Bytes per second of audio. */
  byteRate: number;
  /** Bytes per sample frame (all channels). */
  blockAlign: number;
  /** The audio bytes. */
  data: Buffer;
}

/** A file that is not a WAV this store can join (names what is wrong; no audio in it). */
export class InvalidWavError extends RingsideError {
  readonly code = 'INVALID_WAV';
}

/** Parses a RIFF/WAVE file; throws InvalidWavError when it is not PCM WAV. */
export function parseWav(file: Buffer): WavInfo {
  if (
    file.length < 12 ||
    file.toString('ascii', 0, 4) !== 'RIFF' ||
    file.toString('ascii', 8, 12) !== 'WAVE'
  )
    throw new InvalidWavError('not a RIFF/WAVE file');
  let o = 12;
  let fmt: Omit<WavInfo, 'data'> | null = null;
  while (o + 8 <= file.length) {
    const id = file.toString('ascii', o, o + 4);
    const size = file.readUInt32LE(o + 4);
    const body = o + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > file.length) throw new InvalidWavError('fmt chunk cut short');
      fmt = {
        audioFormat: file.readUInt16LE(body),
        channels: file.readUInt16LE(body + 2),
        sampleRate: file.readUInt32LE(body + 4),
        byteRate: file.readUInt32LE(body + 8),
        blockAlign: file.readUInt16LE(body + 12),
        bitsPerSample: file.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new InvalidWavError('data chunk before fmt chunk');
      // A writer that could not seek back leaves the size unset (0 or 0xFFFFFFFF): the data runs
      // to the end of the file.
      const avail = file.length - body;
      const len = size === 0 || size === 0xffffffff || size > avail ? avail : size;
      checkFmt(fmt);
      const whole = len - (len % fmt.blockAlign);
      return { ...fmt, data: file.subarray(body, body + whole) };
    }
    o = body + size + (size % 2);
  }
  throw new InvalidWavError(fmt ? 'no data chunk' : 'no fmt chunk');
}

function checkFmt(f: Omit<WavInfo, 'data'>): void {
  if (f.audioFormat !== 1) throw new InvalidWavError(`not PCM (format ${f.audioFormat})`);
  if (f.channels < 1 || f.channels > 2) throw new InvalidWavError(`${f.channels} channels`);
  if (f.bitsPerSample !== 16 && f.bitsPerSample !== 8)
    throw new InvalidWavError(`${f.bitsPerSample} bits per sample`);
  if (f.sampleRate < 8000 || f.sampleRate > 48000)
    throw new InvalidWavError(`sample rate ${f.sampleRate}`);
  if (
    f.blockAlign !== (f.channels * f.bitsPerSample) / 8 ||
    f.byteRate !== f.sampleRate * f.blockAlign
  )
    throw new InvalidWavError('inconsistent fmt chunk');
}

/** The audio's length, ms. */
export function wavDurationMs(w: Pick<WavInfo, 'byteRate'> & { data: { length: number } }): number {
  return Math.round((w.data.length / w.byteRate) * 1000);
}

/**
 * One WAV of the segments' audio in order (no padding between them: each segment's offset_ms
 * says where it starts). All must have the same format.
 */
export function joinWavs(parts: readonly WavInfo[]): { file: Buffer; durationMs: number } {
  const first = parts[0];
  if (!first) throw new InvalidWavError('no segments to join');
  for (const p of parts)
    if (
      p.sampleRate !== first.sampleRate ||
      p.channels !== first.channels ||
      p.bitsPerSample !== first.bitsPerSample
    )
      throw new InvalidWavError('segments differ in format');
  const dataBytes = parts.reduce((n, p) => n + p.data.length, 0);
  const file = Buffer.allocUnsafe(44 + dataBytes);
  file.write('RIFF', 0, 'ascii');
  file.writeUInt32LE(36 + dataBytes, 4);
  file.write('WAVE', 8, 'ascii');
  file.write('fmt ', 12, 'ascii');
  file.writeUInt32LE(16, 16);
  file.writeUInt16LE(1, 20);
  file.writeUInt16LE(first.channels, 22);
  file.writeUInt32LE(first.sampleRate, 24);
  file.writeUInt32LE(first.byteRate, 28);
  file.writeUInt16LE(first.blockAlign, 32);
  file.writeUInt16LE(first.bitsPerSample, 34);
  file.write('data', 36, 'ascii');
  file.writeUInt32LE(dataBytes, 40);
  let o = 44;
  for (const p of parts) o += p.data.copy(file, o);
  return { file, durationMs: Math.round((dataBytes / first.byteRate) * 1000) };
}

/** A PCM WAV of `ms` of audio (a tone, so it is not silence), for tests and the benchmark. */
export function makeWav(ms: number, sampleRate = 8000, hz = 440): Buffer {
  const samples = Math.round((ms / 1000) * sampleRate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / sampleRate)), i * 2);
  return joinWavs([
    {
      audioFormat: 1,
      channels: 1,
      sampleRate,
      bitsPerSample: 16,
      byteRate: sampleRate * 2,
      blockAlign: 2,
      data,
    },
  ]).file;
}
