import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallId } from '@ringside/protocol';
import { useRedisTestContext, useTestDb } from '../helpers/hooks.js';
import {
  startRecordingRig,
  wavSamples,
  windowsRms,
  type RecordingRig,
} from '../recording/recording-rig.js';

/**
 * Recording the call on the real Asterisk (npm run test:asterisk; docs/recording.md "Recording
 * the call"): the production worker and call recorder against Asterisk, a customer who keeps
 * talking (sim-customers-talking: a 1400 Hz tone, 300 ms on, 200 ms off) bridged to an agent
 * whose phone speaks too (sim-agent-phones: 440 Hz, 300/200 ms), a PCI pause through the api's
 * RecordingControl (ARI mute) in the middle. The stored file Asterisk wrote is fetched over ARI:
 * its length against the bridged time, the pause as silence, both voices in it.
 */

const ARI_URL = process.env.ARI_URL ?? 'http://127.0.0.1:8088/ari';
const db = useTestDb('real_rec');
const rc = useRedisTestContext('real-rec');
let rig: RecordingRig;
const run = Date.now().toString(36);
const callId = `rr-${run}`;
const consentCallId = `rrc-${run}`;
const agentId = String(900 + (Date.now() % 90));
const consentAgentId = String(Number(agentId) + 100);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let file: Int16Array = new Int16Array(0);

/** Power of `hz` in a window of samples (Goertzel), normalised per sample. */
function tonePower(x: Int16Array, hz: number): number {
  const k = (2 * Math.PI * hz) / 8000;
  const c = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  for (const v of x) {
    const s0 = v + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2)) / x.length;
}

beforeAll(async () => {
  rig = await startRecordingRig({
    pool: db.pool,
    redis: rc.redis,
    prefix: rc.prefix,
    server: {
      id: 'asterisk',
      baseUrl: ARI_URL,
      user: process.env.ARI_USER ?? 'ringside',
      password: process.env.ARI_PASSWORD ?? 'ringside',
      app: process.env.ARI_APP ?? 'dialer',
    },
    dialTemplate: 'Local/{digits}@sim-customers-talking',
    agentPhoneEndpoint: (id) => `Local/rec${id}@sim-agent-phones`,
  });
  const campaign = await rig.campaign({ recordingMode: 'all' });
  await rig.agent(agentId, campaign);
  await rig.call(callId, campaign, agentId);
  await rig.bridged(callId, 30_000);
  await sleep(3000);
  await rig.control.pause({ userId: '1', role: 'admin' }, callId as CallId);
  await sleep(2000);
  await rig.control.resume({ userId: '1', role: 'admin' }, callId as CallId);
  await sleep(2000);
  await rig.client.hangup(callId);
  await rig.finished(callId, 20_000);
  await rig.recorder.idle();
  // A second call with the consent notice (Asterisk's own hello-world sound): played to the
  // customer in the agent's bridge once the hand-off is done, the recording after it.
  const consentCampaign = await rig.campaign({
    recordingMode: 'all',
    consentMode: 'all',
    consentMedia: 'sound:hello-world',
  });
  await rig.agent(consentAgentId, consentCampaign);
  await rig.call(consentCallId, consentCampaign, consentAgentId);
  await rig.bridged(consentCallId, 30_000);
  await sleep(4000);
  await rig.client.hangup(consentCallId);
  await rig.finished(consentCallId, 20_000);
  await rig.recorder.idle();
  // Asterisk writes the file when the recording stops; give it a moment to be listed.
  for (let i = 0; i < 20 && file.length === 0; i++) {
    try {
      file = wavSamples(await rig.client.getStoredRecordingFile(`rec-${callId}-1`));
    } catch {
      await sleep(250);
    }
  }
}, 90_000);

afterAll(async () => {
  await rig?.client.deleteStoredRecording(`rec-${callId}-1`).catch(() => undefined);
  await rig?.client.deleteStoredRecording(`rec-${consentCallId}-1`).catch(() => undefined);
  await rig?.close();
});

async function recording() {
  const r = await rig.repo.byCall(callId as CallId);
  if (!r) throw new Error('no recording row');
  return { r, segments: await rig.repo.segments(r.id), marks: await rig.repo.marks(r.id) };
}

describe('recording a call on the real Asterisk', () => {
  it('one recording, one segment of the agent bridge, pending for the mover', async () => {
    const { r, segments } = await recording();
    expect(r.state).toBe('pending');
    expect(segments.map((s) => [s.seq, s.bridgeId, s.state])).toEqual([
      [1, `agent-${agentId}`, 'finished'],
    ]);
    expect(r.bridgedMs).toBeGreaterThan(6000);
  });

  it('the file Asterisk wrote is as long as the bridged time (within 0.5 s)', async () => {
    const { r } = await recording();
    expect(file.length).toBeGreaterThan(0);
    const fileMs = file.length / 8;
    console.log(`real recording: file ${fileMs} ms, bridged ${r.bridgedMs} ms`);
    expect(Math.abs(fileMs - (r.bridgedMs ?? 0))).toBeLessThan(500);
  });

  it('the pause is silence in the file, between its marks', async () => {
    const { marks, r } = await recording();
    const [p, q] = marks as [(typeof marks)[0], (typeof marks)[0]];
    expect(marks.map((m) => [m.kind, m.source])).toEqual([
      ['pause', 'api'],
      ['resume', 'api'],
    ]);
    expect(r.pausedMs).toBeGreaterThan(1800);
    const rms = windowsRms(file);
    const inside = rms.slice(
      Math.ceil((p.offsetMs + 300) / 100),
      Math.floor((q.offsetMs - 300) / 100),
    );
    const before = rms.slice(5, Math.floor((p.offsetMs - 300) / 100));
    console.log(
      `real recording: pause RMS max ${Math.max(...inside).toFixed(1)}, before it max ${Math.max(...before).toFixed(1)}`,
    );
    expect(inside.length).toBeGreaterThan(8);
    expect(Math.max(...inside)).toBeLessThan(50);
    expect(Math.max(...before)).toBeGreaterThan(300);
  });

  it('both voices are in the file: the customer (1400 Hz) and the agent (440 Hz)', async () => {
    const { marks } = await recording();
    const pauseAt = ((marks[0]?.offsetMs ?? 0) * 8) | 0;
    const talk = file.subarray(800, Math.max(800, pauseAt - 800));
    const customer = tonePower(talk, 1400);
    const agent = tonePower(talk, 440);
    const neither = tonePower(talk, 1000);
    console.log(
      `real recording: 1400 Hz ${customer.toFixed(1)}, 440 Hz ${agent.toFixed(1)}, 1000 Hz ${neither.toFixed(1)}`,
    );
    expect(customer).toBeGreaterThan(10 * Math.max(neither, 1));
    expect(agent).toBeGreaterThan(10 * Math.max(neither, 1));
  });

  it('the consent notice plays after the hand-off, on the customer channel, and segment 1 starts at its end', async () => {
    const r = await rig.repo.byCall(consentCallId as CallId);
    if (!r) throw new Error('no recording of the consent call');
    const segments = await rig.repo.segments(r.id);
    const marks = await rig.repo.marks(r.id);
    expect(r.state).toBe('pending');
    expect(marks.map((m) => [m.kind, m.offsetMs])).toEqual([['consent', 0]]);
    const changes = rig.changes.filter((c) => c.callId === consentCallId);
    expect(changes[0]).toMatchObject({ state: 'recording', segment: null, consentPlaying: true });
    expect(changes[1]).toMatchObject({ state: 'recording', segment: 1 });
    const bridgedAt =
      rig.eventsOf(consentCallId).find((e) => e.type === 'call.bridged')?.atMs ?? Number.NaN;
    const waitedMs = (segments[0]?.startedAt.getTime() ?? 0) - bridgedAt;
    console.log(
      `real recording: consent notice, segment 1 started ${waitedMs} ms after the bridge`,
    );
    // hello-world lasts about a second; the hand-off itself did not wait for it.
    expect(waitedMs).toBeGreaterThan(700);
    expect(waitedMs).toBeLessThan(4000);
  });
});
