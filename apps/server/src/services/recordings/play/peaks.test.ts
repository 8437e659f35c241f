import { describe, expect, it } from 'vitest';
import { BadAudioError, wavPeaks } from './peaks.js';

/** A PCM WAV of the given 16-bit samples (one channel unless told). */
export function wav(samples: Int16Array, sampleRate = 8000, channels = 1): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(s, i * 2));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** The bytes in pieces of `size` (as a stream hands them over). */
async function* pieces(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

describe('wavPeaks', () => {
  it('gives each bucket the min and max of its samples, whatever the stream pieces', async () => {
    // 1 s at 8 kHz: a loud first half (±16384 -> ±64), then silence.
    const s = new Int16Array(8000);
    for (let i = 0; i < 4000; i++) s[i] = i % 2 ? 16384 : -16384;
    const file = wav(s);
    for (const size of [7, 1000, file.length]) {
      const p = await wavPeaks(pieces(file, size), file.length, 10);
      expect(p.durationMs).toBe(1000);
      expect(p.buckets).toBe(10);
      expect(Array.from(p.peaks)).toEqual([
        ...Array.from({ length: 5 }, () => [-64, 64]).flat(),
        ...Array.from({ length: 5 }, () => [0, 0]).flat(),
      ]);
    }
  });

  it('keeps at most one bucket per frame and clamps full scale to ±127', async () => {
    const file = wav(Int16Array.from([-32768, 32767, 0]));
    const p = await wavPeaks(pieces(file, 5), file.length, 800);
    expect(p.buckets).toBe(3);
    expect(Array.from(p.peaks)).toEqual([-127, -127, 127, 127, 0, 0]);
  });

  it('reads a data chunk whose header says 0 bytes up to the end of the file', async () => {
    const file = wav(new Int16Array(800).fill(256));
    file.writeUInt32LE(0, 40);
    const p = await wavPeaks(pieces(file, 100), file.length, 4);
    expect(p).toMatchObject({ buckets: 4, durationMs: 100 });
    expect(Array.from(p.peaks)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('refuses what is not a PCM WAV, with a clear error', async () => {
    const notWav = Buffer.from('ID3 this is an mp3 file, not a wav at all');
    await expect(wavPeaks(pieces(notWav, 8), notWav.length)).rejects.toThrow(BadAudioError);
    const aLaw = wav(new Int16Array(10));
    aLaw.writeUInt16LE(6, 20);
    await expect(wavPeaks(pieces(aLaw, 8), aLaw.length)).rejects.toThrow(/format 6 is not PCM/);
    const cut = wav(new Int16Array(10)).subarray(0, 30);
    await expect(wavPeaks(pieces(cut, 8), cut.length)).rejects.toThrow(/before its data chunk/);
  });
});
