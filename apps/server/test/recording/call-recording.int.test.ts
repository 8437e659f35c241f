import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentId, CallId } from '@ringside/protocol';
// apps/sim has no package exports yet; the source is imported directly.
import { startSimPbx, type SimPbx } from '../../../sim/src/index.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../src/errors.js';
import { useRedisTestContext, useTestDb } from '../helpers/hooks.js';
import { startRecordingRig, wavSamples, windowsRms, type RecordingRig } from './recording-rig.js';

/**
 * Recording the call on the simulated PBX (docs/recording.md "Recording the call"): the
 * production worker and call recorder, a stand-in dialer, real PostgreSQL and Redis, and the
 * files the simulated PBX writes (real audio, the customer at 440 Hz, the agent at 620 Hz).
 * The PBX runs at real speed: the file's length is compared with the bridged time.
 */

const db = useTestDb('rec_calls');
const rc = useRedisTestContext('rec-calls');
let pbx: SimPbx;
let rig: RecordingRig;
let campaigns: { all: string; none: string; consent: string; apiOnly: string; onDemand: string };

/** Agents are users: numeric ids (agent_id, user_id columns), each with its bridge agent-<id>. */
const AGENT_IDS: Record<string, string> = {
  a1: '101',
  a2: '102',
  a3: '103',
  a4: '104',
  a5: '105',
  a6: '106',
  a7: '107',
  a8: '108',
  idle: '109',
};
const agent = (n: string): string => AGENT_IDS[n] ?? n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = Date.now().toString(36);
const ids = {
  all: `ra-${run}`,
  transfer: `rt-${run}`,
  pause: `rp-${run}`,
  none: `rn-${run}`,
  consent: `rc-${run}`,
  apiOnly: `ro-${run}`,
  onDemand: `rd-${run}`,
};

beforeAll(async () => {
  pbx = await startSimPbx({
    port: 0,
    speed: 1,
    seed: 11,
    soundDurationsMs: { 'ringside-recording-notice': 1500 },
  });
  rig = await startRecordingRig({
    pool: db.pool,
    redis: rc.redis,
    prefix: rc.prefix,
    server: {
      id: 'sim',
      baseUrl: pbx.ariUrl,
      user: 'ringside',
      password: 'ringside',
      app: 'dialer',
    },
  });
  campaigns = {
    all: await rig.campaign({ recordingMode: 'all' }),
    none: await rig.campaign({ recordingMode: 'none' }),
    consent: await rig.campaign({ recordingMode: 'all', consentMode: 'all' }),
    apiOnly: await rig.campaign({ recordingMode: 'all', recordingPauseApiOnly: true }),
    onDemand: await rig.campaign({ recordingMode: 'on_demand' }),
  };
  for (const [name, id] of [
    ['a1', campaigns.all],
    ['a2', campaigns.all],
    ['a3', campaigns.all],
    ['a4', campaigns.all],
    ['a5', campaigns.none],
    ['a6', campaigns.consent],
    ['a7', campaigns.apiOnly],
    ['a8', campaigns.onDemand],
    ['idle', campaigns.all],
  ] as const) {
    await rig.agent(agent(name), id);
  }

  // Every call at once: they run in parallel on the PBX.
  await rig.call(ids.all, campaigns.all, agent('a1'));
  await rig.call(ids.transfer, campaigns.all, agent('a2'));
  await rig.call(ids.pause, campaigns.all, agent('a4'));
  await rig.call(ids.none, campaigns.none, agent('a5'));
  await rig.call(ids.consent, campaigns.consent, agent('a6'));
  await rig.call(ids.apiOnly, campaigns.apiOnly, agent('a7'));
  await rig.call(ids.onDemand, campaigns.onDemand, agent('a8'));
  /** The agent goes INCALL on the call, as the dialer's hand-off does. */
  const owned = async (callId: string, a: string) => {
    const before = await rig.store.getAgent(agent(a) as AgentId);
    if (!before) throw new Error(`agent ${a} missing`);
    await rig.store.transitionAgent(
      { ...before, state: 'INCALL', callId: callId as CallId },
      before.state,
      {
        type: 'agent.state_changed',
        agentId: before.agentId,
        campaignId: before.campaignId,
        from: before.state,
        to: 'INCALL',
        pauseCode: null,
        callId: callId as CallId,
        reason: 'test',
        sinceMs: Date.now(),
        atMs: Date.now(),
      },
    );
  };

  let checksOver: () => void = () => undefined;
  const over = new Promise<void>((r) => (checksOver = r));
  const checksDone = () => over;
  const flows = [
    // Record all: 3 s with the agent, a supervisor barging in for 1 s of it (their phone joins
    // the agent's bridge, as supervisor-actions.ts does), then the customer is hung up.
    (async () => {
      await rig.bridged(ids.all);
      await sleep(800);
      await rig.client.originate({
        endpoint: 'Local/agent@agents',
        channelId: `sup-${run}`,
        otherChannelId: `sup-${run}-2`,
        app: 'dialer',
        appArgs: `supmon,agent-${agent('a1')}`,
      });
      await sleep(1200);
      await rig.client.hangup(`sup-${run}`);
      await sleep(1000);
      await rig.client.hangup(ids.all);
    })(),
    // Blind transfer after 2 s to agent a3, 2 s there.
    (async () => {
      await rig.bridged(ids.transfer);
      await sleep(2000);
      await rig.client.addChannel(`agent-${agent('a3')}`, ids.transfer);
      await sleep(2000);
      await rig.client.hangup(ids.transfer);
    })(),
    // Pause after 1 s for 1.5 s, then 1 s more.
    (async () => {
      await rig.bridged(ids.pause);
      await owned(ids.pause, 'a4');
      await sleep(1000);
      await rig.control.pause({ userId: agent('a4'), role: 'agent' }, ids.pause as CallId);
      await sleep(1500);
      await rig.control.resume({ userId: agent('a4'), role: 'agent' }, ids.pause as CallId);
      await sleep(1000);
      await rig.client.hangup(ids.pause);
    })(),
    // These three stay up until the access checks are done.
    (async () => {
      await rig.bridged(ids.none);
      await checksDone();
      await rig.client.hangup(ids.none);
    })(),
    (async () => {
      await rig.bridged(ids.consent);
      await sleep(3500);
      await rig.client.hangup(ids.consent);
    })(),
    (async () => {
      await rig.bridged(ids.apiOnly);
      await owned(ids.apiOnly, 'a7');
      await checksDone();
      await rig.client.hangup(ids.apiOnly);
    })(),
    (async () => {
      await rig.bridged(ids.onDemand);
      await owned(ids.onDemand, 'a8');
      await checksDone();
      await sleep(1000);
      await rig.client.hangup(ids.onDemand);
    })(),
  ];
  // The access checks run while the calls are live.
  accessChecks = (async () => {
    await rig.bridged(ids.apiOnly);
    await rig.bridged(ids.onDemand);
    await rig.bridged(ids.none);
    // The agents' INCALL (owned) is written right after their bridge.
    await sleep(800);
    const out: Record<string, unknown> = {};
    const attempt = async (k: string, fn: () => Promise<unknown>) => {
      try {
        out[k] = await fn();
      } catch (err) {
        out[k] = err;
      }
    };
    await attempt('otherAgentPause', () =>
      rig.control.pause({ userId: agent('a1'), role: 'agent' }, ids.apiOnly as CallId),
    );
    await attempt('apiOnlyAgent', () =>
      rig.control.pause({ userId: agent('a7'), role: 'agent' }, ids.apiOnly as CallId),
    );
    await attempt('apiOnlyAdmin', () =>
      rig.control.pause({ userId: '1', role: 'admin' }, ids.apiOnly as CallId),
    );
    await attempt('apiOnlyAdminAgain', () =>
      rig.control.pause({ userId: '1', role: 'admin' }, ids.apiOnly as CallId),
    );
    await attempt('noCall', () =>
      rig.control.pause({ userId: '1', role: 'admin' }, 'nope' as CallId),
    );
    await attempt('notRecorded', () =>
      rig.control.pause({ userId: '1', role: 'admin' }, ids.none as CallId),
    );
    await attempt('startNone', () =>
      rig.control.start({ userId: '1', role: 'admin' }, ids.none as CallId),
    );
    await attempt('startOnDemand', () =>
      rig.control.start({ userId: agent('a8'), role: 'agent' }, ids.onDemand as CallId),
    );
    await attempt('startAgain', () =>
      rig.control.start({ userId: agent('a8'), role: 'agent' }, ids.onDemand as CallId),
    );
    checksOver();
    return out;
  })().finally(() => checksOver());
  await Promise.all(flows);
  checks = await accessChecks;
  for (const id of Object.values(ids)) if (id !== ids.none) await rig.finished(id);
  await rig.recorder.idle();
}, 90_000);

let accessChecks: Promise<Record<string, unknown>>;
let checks: Record<string, unknown> = {};

afterAll(async () => {
  await rig?.close();
  await pbx?.stop();
});

async function storedWav(name: string): Promise<Int16Array> {
  return wavSamples(await rig.client.getStoredRecordingFile(name));
}

async function row(callId: string) {
  const r = await rig.repo.byCall(callId as CallId);
  if (!r) throw new Error(`no recording of ${callId}`);
  return { r, segments: await rig.repo.segments(r.id), marks: await rig.repo.marks(r.id) };
}

describe('recording the call on the simulated PBX', () => {
  it('record all: one recording with one segment, pending for the mover, the file as long as the bridged time, a barge marked', async () => {
    const { r, segments, marks } = await row(ids.all);
    expect(r.state).toBe('pending');
    expect(r.reason).toBe('policy');
    expect(segments).toHaveLength(1);
    expect(segments[0]).toMatchObject({
      seq: 1,
      asteriskName: `rec-${ids.all}-1`,
      bridgeId: `agent-${agent('a1')}`,
      state: 'finished',
      offsetMs: 0,
    });
    // The barge: its start and end on the timeline, by a supervisor, about 1 s apart.
    expect(marks.map((m) => [m.kind, m.source])).toEqual([
      ['barge_start', 'supervisor'],
      ['barge_end', 'supervisor'],
    ]);
    const [b0, b1] = marks as [(typeof marks)[0], (typeof marks)[0]];
    expect(b0.offsetMs).toBeGreaterThan(500);
    expect(b1.offsetMs - b0.offsetMs).toBeGreaterThan(700);
    expect(b1.offsetMs - b0.offsetMs).toBeLessThan(1600);
    expect(r.bridgedMs).toBe(segments[0]?.durationMs);
    expect(r.bridgedMs).toBeGreaterThan(2500);
    expect(r.bridgedMs).toBeLessThan(4500);
    const wav = await storedWav(`rec-${ids.all}-1`);
    const fileMs = (wav.length / 8000) * 1000;
    expect(Math.abs(fileMs - (r.bridgedMs ?? 0))).toBeLessThan(500);
    // Both voices: the mix is loud in most windows.
    const loud = windowsRms(wav).filter((x) => x > 1000).length;
    expect(loud).toBeGreaterThan(windowsRms(wav).length / 2);
  });

  it('publishes recording.changed for each change once: recording, stopped, pending', () => {
    const seen = rig.changes.filter((c) => c.callId === ids.all).map((c) => [c.state, c.segment]);
    expect(seen).toEqual([
      ['recording', 1],
      ['stopped', 1],
      ['pending', null],
    ]);
  });

  it('transfer: two segments in the two agents bridges, a transfer mark where the second starts', async () => {
    const { r, segments, marks } = await row(ids.transfer);
    expect(r.state).toBe('pending');
    expect(segments.map((s) => [s.seq, s.bridgeId, s.state])).toEqual([
      [1, `agent-${agent('a2')}`, 'finished'],
      [2, `agent-${agent('a3')}`, 'finished'],
    ]);
    const [s1, s2] = segments as [(typeof segments)[0], (typeof segments)[0]];
    expect(s2.offsetMs).toBe(s1.durationMs);
    expect(marks.map((m) => [m.kind, m.offsetMs, m.source])).toEqual([
      ['transfer', s1.durationMs, 'system'],
    ]);
    expect(r.bridgedMs).toBe((s1.durationMs ?? 0) + (s2.durationMs ?? 0));
    for (const s of segments) {
      const wav = await storedWav(s.asteriskName);
      expect(Math.abs(wav.length / 8 - (s.durationMs ?? 0))).toBeLessThan(500);
    }
  });

  it('pause and resume: marks with offsets, paused time counted, silence in the file and the length kept', async () => {
    const { r, segments, marks } = await row(ids.pause);
    expect(segments).toHaveLength(1);
    expect(marks.map((m) => [m.kind, m.source])).toEqual([
      ['pause', 'agent'],
      ['resume', 'agent'],
    ]);
    const [p, q] = marks as [(typeof marks)[0], (typeof marks)[0]];
    expect(p.offsetMs).toBeGreaterThan(700);
    expect(p.offsetMs).toBeLessThan(1600);
    expect(q.offsetMs - p.offsetMs).toBeGreaterThan(1300);
    expect(Math.abs(r.pausedMs - (q.offsetMs - p.offsetMs))).toBeLessThan(50);
    const wav = await storedWav(`rec-${ids.pause}-1`);
    expect(Math.abs(wav.length / 8 - (r.bridgedMs ?? 0))).toBeLessThan(500);
    const rms = windowsRms(wav);
    // Inside the pause (a margin of 200 ms each side): digital silence.
    const inside = rms.slice(
      Math.ceil((p.offsetMs + 200) / 100),
      Math.floor((q.offsetMs - 200) / 100),
    );
    expect(inside.length).toBeGreaterThan(5);
    expect(Math.max(...inside)).toBeLessThan(50);
    // Before it, someone speaks.
    expect(Math.max(...rms.slice(0, Math.floor(p.offsetMs / 100)))).toBeGreaterThan(1000);
  });

  it('pause and resume are audited with who and how long', async () => {
    const { rows } = await db.pool.query<{
      action: string;
      user_id: string;
      detail: Record<string, unknown>;
    }>('SELECT action, user_id::text, detail FROM audit_log WHERE target = $1 ORDER BY id', [
      `call:${ids.pause}`,
    ]);
    expect(rows.map((x) => x.action)).toEqual(['recording.pause', 'recording.resume']);
    expect(rows[1]?.detail).toMatchObject({ pausedMs: expect.any(Number) });
    expect(rows[1]?.detail.pausedMs as number).toBeGreaterThan(1300);
  });

  it('record none: no recording row and no file', async () => {
    expect(await rig.repo.byCall(ids.none as CallId)).toBeNull();
    const stored = await rig.client.listStoredRecordings();
    expect(stored.some((s) => s.name.includes(ids.none))).toBe(false);
  });

  it("the agents' idle bridge is never recorded", async () => {
    const stored = await rig.client.listStoredRecordings();
    const { rows } = await db.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM recording_segments WHERE bridge_id = $1',
      [`agent-${agent('idle')}`],
    );
    // Every stored file is a segment of a recorded call.
    const names = new Set(
      (
        await db.pool.query<{ asterisk_name: string }>(
          'SELECT asterisk_name FROM recording_segments',
        )
      ).rows.map((x) => x.asterisk_name),
    );
    expect(stored.filter((s) => s.name.startsWith('rec-')).every((s) => names.has(s.name))).toBe(
      true,
    );
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('consent: the call is bridged first, the notice plays to the customer with a mark, then segment 1 starts', async () => {
    const { r, segments, marks } = await row(ids.consent);
    expect(r.state).toBe('pending');
    expect(marks.map((m) => [m.kind, m.offsetMs])).toEqual([['consent', 0]]);
    const changes = rig.changes.filter((c) => c.callId === ids.consent);
    expect(changes[0]).toMatchObject({ state: 'recording', segment: null, consentPlaying: true });
    expect(changes[1]).toMatchObject({ state: 'recording', segment: 1 });
    // The hand-off did not wait: call.bridged came before the notice ended (segment 1's start).
    const bridgedAt = rig.eventsOf(ids.consent).find((e) => e.type === 'call.bridged')?.atMs ?? 0;
    const segStart = segments[0]?.startedAt.getTime() ?? 0;
    expect(segStart - bridgedAt).toBeGreaterThan(1200);
    expect(r.bridgedMs).toBeLessThan(3500 - 1000);
  });

  it("access: an agent on another agent's call is refused (403)", () => {
    expect(checks.otherAgentPause).toBeInstanceOf(ForbiddenError);
  });

  it('access: pause through the API only refuses the agent (409) and lets an admin pause once', () => {
    expect(checks.apiOnlyAgent).toBeInstanceOf(ConflictError);
    expect((checks.apiOnlyAgent as Error).message).toMatch(/through the API only/);
    expect(checks.apiOnlyAdmin).toMatchObject({ state: 'paused', segment: 1 });
    expect(checks.apiOnlyAdminAgain).toBeInstanceOf(ConflictError);
    expect((checks.apiOnlyAdminAgain as Error).message).toMatch(/already paused/);
  });

  it('access: no live call is 404, a call not recorded 409, Record on a none campaign 409', () => {
    expect(checks.noCall).toBeInstanceOf(NotFoundError);
    expect(checks.notRecorded).toBeInstanceOf(ConflictError);
    expect((checks.notRecorded as Error).message).toMatch(/not being recorded/);
    expect(checks.startNone).toBeInstanceOf(ConflictError);
    expect((checks.startNone as Error).message).toMatch(/records no calls/);
  });

  it('on demand: the Record button starts segment 1 mid-call; a second press is refused', async () => {
    expect(checks.startOnDemand).toMatchObject({ state: 'recording', segment: 1 });
    expect(checks.startAgain).toBeInstanceOf(ConflictError);
    const { r, segments } = await row(ids.onDemand);
    expect(r.reason).toBe('on_demand');
    expect(r.state).toBe('pending');
    expect(segments).toHaveLength(1);
    expect(r.bridgedMs).toBeLessThan(2500);
    const { rows } = await db.pool.query<{ action: string }>(
      'SELECT action FROM audit_log WHERE target = $1',
      [`call:${ids.onDemand}`],
    );
    expect(rows.map((x) => x.action)).toEqual(['recording.start']);
  });
});
