import { describe, expect, it } from 'vitest';
import { InvalidWavError, joinWavs, makeWav, parseWav, wavDurationMs } from './wav.js';

describe('WAV check and join', () => {
  it('reads the format and length of a PCM WAV', () => {
    const w = parseWav(makeWav(1500));
    expect([w.sampleRate, w.channels, w.bitsPerSample]).toEqual([8000, 1, 16]);
    expect(wavDurationMs(w)).toBe(1500);
  });

  it('joins segments in order into one WAV whose length is their sum', () => {
    const a = parseWav(makeWav(1000, 8000, 300));
    const b = parseWav(makeWav(2500, 8000, 600));
    const joined = joinWavs([a, b]);
    expect(joined.durationMs).toBe(3500);
    const back = parseWav(joined.file);
    expect(back.data.subarray(0, a.data.length).equals(a.data)).toBe(true);
    expect(back.data.subarray(a.data.length).equals(b.data)).toBe(true);
  });

  it('skips chunks before data and reads a data size left unset as "to the end"', () => {
    const base = makeWav(200);
    const list = Buffer.concat([
      Buffer.from('LIST'),
      Buffer.from([4, 0, 0, 0]),
      Buffer.from('INFO'),
    ]);
    const withList = Buffer.concat([base.subarray(0, 36), list, base.subarray(36)]);
    withList.writeUInt32LE(0xffffffff, 36 + list.length + 4);
    expect(wavDurationMs(parseWav(withList))).toBe(200);
  });

  it('refuses what is not PCM WAV, naming why', () => {
    expect(() => parseWav(Buffer.from('not audio at all'))).toThrow(InvalidWavError);
    const alaw = makeWav(100);
    alaw.writeUInt16LE(6, 20);
    expect(() => parseWav(alaw)).toThrow(/not PCM \(format 6\)/);
    expect(() => parseWav(makeWav(100).subarray(0, 30))).toThrow(/fmt chunk cut short|no fmt/);
  });

  it('refuses to join segments of different formats', () => {
    expect(() => joinWavs([parseWav(makeWav(100, 8000)), parseWav(makeWav(100, 16000))])).toThrow(
      /differ in format/,
    );
  });
});
