import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, RecordingPeaks } from '@ringside/protocol';
import { bearer, createHarness, type Harness } from '../http/harness.js';
import { TestVault, seedRecording, toneWav, wirePlayer } from './fixture.js';

/**
 * The audio route's byte ranges (a long call starts at once, seeking fetches only what it needs),
 * the audit of plays and downloads, and the waveform computed once from the stored WAV.
 */

let h: Harness;
let vault: TestVault;
let token = '';
let id = '';
/** 10 s: 160 044 bytes, silent from 4 s to 6 s (a PCI pause). */
const WAV = toneWav(10_000, { fromMs: 4000, toMs: 6000 });

beforeAll(async () => {
  h = await createHarness({ loginPerIpPerMinute: 100 });
  vault = await TestVault.open();
  wirePlayer(h, vault);
  id = (
    await seedRecording(h, vault, {
      campaignId: h.campaignId,
      agents: [h.users.agent.id],
      wav: WAV,
      marks: [
        { kind: 'pause', offsetMs: 4000 },
        { kind: 'resume', offsetMs: 6000 },
      ],
    })
  ).id;
  token = await h.login('super');
});
afterAll(async () => {
  await h?.close();
  await vault?.dispose();
});

const audio = (headers: Record<string, string> = {}, query = '', t = token) =>
  h.app.inject({
    method: 'GET',
    url: `/api/recordings/${id}/audio${query}`,
    headers: { ...bearer(t), ...headers },
  });

const audits = async (action: string) =>
  (await h.deps.audit.list({ target: `recording:${id}`, limit: 100 })).filter(
    (e) => e.action === action,
  );

describe('recording audio: byte ranges', () => {
  it('answers the whole file with Accept-Ranges when no range is asked', async () => {
    const r = await audio();
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('audio/wav');
    expect(r.headers['accept-ranges']).toBe('bytes');
    expect(r.headers['content-length']).toBe(String(WAV.length));
    expect(r.rawPayload.equals(WAV)).toBe(true);
  });

  it('answers the first bytes, a middle range and a suffix with 206 and Content-Range', async () => {
    const cases: [string, number, number][] = [
      ['bytes=0-43', 0, 43],
      ['bytes=80000-80999', 80000, 80999],
      ['bytes=-1000', WAV.length - 1000, WAV.length - 1],
      ['bytes=150000-', 150000, WAV.length - 1],
      ['bytes=160000-999999', 160000, WAV.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const r = await audio({ range });
      expect(r.statusCode, range).toBe(206);
      expect(r.headers['content-range']).toBe(`bytes ${start}-${end}/${WAV.length}`);
      expect(r.headers['content-length']).toBe(String(end - start + 1));
      expect(r.rawPayload.equals(WAV.subarray(start, end + 1)), range).toBe(true);
    }
    expect((await audio({ range: 'bytes=0-3' })).rawPayload.toString('ascii')).toBe('RIFF');
  });

  it('refuses a range past the end, backwards, several or malformed with 416 and the size', async () => {
    for (const range of [`bytes=${WAV.length}-`, 'bytes=10-5', 'bytes=0-1,4-5', 'pages=1-2']) {
      const r = await audio({ range });
      expect(r.statusCode, range).toBe(416);
      expect(r.headers['content-range']).toBe(`bytes */${WAV.length}`);
      expect((r.json() as ErrorBody).error.code).toBe('RANGE_NOT_SATISFIABLE');
    }
  });
});

describe('recording audio: audit', () => {
  it('audits a play once per session and recording, however many ranges it fetches', async () => {
    const before = (await audits('recording.play')).length;
    await audio({ range: 'bytes=0-' });
    await audio({ range: 'bytes=0-1000' });
    await audio({ range: 'bytes=5000-6000' });
    expect((await audits('recording.play')).length).toBe(Math.max(before, 1));
    const other = await h.login('super');
    await audio({ range: 'bytes=0-' }, '', other);
    const plays = await audits('recording.play');
    expect(plays.length).toBe(Math.max(before, 1) + 1);
    expect(plays.every((p) => p.userId === h.users.supervisor.id)).toBe(true);
  });

  it('serves ?download=1 as an attachment and audits each download', async () => {
    const before = (await audits('recording.download')).length;
    const r = await audio({}, '?download=1');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-disposition']).toBe(`attachment; filename="recording-${id}.wav"`);
    await audio({}, '?download=1');
    const d = await audits('recording.download');
    expect(d.length).toBe(before + 2);
    expect(d[0]).toMatchObject({ userId: h.users.supervisor.id, detail: { bytes: WAV.length } });
  });
});

describe('recording peaks', () => {
  it('draws the waveform from the WAV, with the pause as silence, and computes it once', async () => {
    const reads = vault.reads;
    const r = await h.app.inject({
      method: 'GET',
      url: `/api/recordings/${id}/peaks`,
      headers: bearer(token),
    });
    expect(r.statusCode).toBe(200);
    const p = r.json() as RecordingPeaks;
    expect(p).toMatchObject({ recordingId: id, durationMs: 10_000, buckets: 800 });
    expect(p.peaks).toHaveLength(1600);
    // 12000 / 256 ≈ 46: the tone's peaks; buckets 320-479 are the 4-6 s pause.
    const pair = (b: number) => [p.peaks[b * 2], p.peaks[b * 2 + 1]];
    expect(pair(100)).toEqual([-47, 46]);
    expect(pair(400)).toEqual([0, 0]);
    expect(pair(700)).toEqual([-47, 46]);
    expect(vault.reads).toBe(reads + 1);
    const again = await h.app.inject({
      method: 'GET',
      url: `/api/recordings/${id}/peaks`,
      headers: bearer(token),
    });
    expect(again.json()).toEqual(p);
    expect(vault.reads).toBe(reads + 1);
  });
});
