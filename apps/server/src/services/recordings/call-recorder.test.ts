import type { AriEvent } from '@ringside/ari';
import type { CallId, CampaignId, DomainEvent, LeadId, RecordingChanged } from '@ringside/protocol';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import type {
  LiveRecording,
  LiveRecordingStore,
  MarkRow,
  RecordingAri,
  RecordingCallsRepo,
  RecordingRow,
  SegmentRow,
} from '../../ports/recording-calls.js';
import { newLiveCall, type LiveCall } from '../../ports/state-store.js';
import { CallRecorder, type CampaignRecordingPolicy } from './call-recorder.js';

/** The recorder's faults with its ports faked: what Asterisk refuses or loses is a clear state. */

class MemoryRepo implements RecordingCallsRepo {
  rows = new Map<string, RecordingRow & { lastError: string | null }>();
  segs = new Map<string, SegmentRow[]>();
  markRows = new Map<string, MarkRow[]>();
  async create(r: Parameters<RecordingCallsRepo['create']>[0]) {
    const found = [...this.rows.values()].find((x) => x.callId === r.callId);
    if (found) return { row: found, created: false };
    const row = {
      id: String(this.rows.size + 1),
      callId: r.callId,
      campaignId: r.campaignId,
      state: 'recording' as const,
      reason: r.reason,
      startedAt: r.startedAt,
      endedAt: null,
      bridgedMs: null,
      pausedMs: 0,
      lastError: null,
    };
    this.rows.set(row.id, row);
    return { row, created: true };
  }
  async createWithFirstSegment(
    r: Parameters<RecordingCallsRepo['create']>[0],
    first: Parameters<RecordingCallsRepo['createWithFirstSegment']>[1],
  ) {
    const made = await this.create(r);
    if (made.created) await this.openSegment(made.row.id, { ...first, seq: 1 });
    return made;
  }
  async byCall(callId: CallId) {
    return [...this.rows.values()].find((x) => x.callId === callId) ?? null;
  }
  async segments(id: string) {
    return this.segs.get(id) ?? [];
  }
  async marks(id: string) {
    return this.markRows.get(id) ?? [];
  }
  async openSegment(id: string, s: Omit<SegmentRow, 'endedAt' | 'durationMs' | 'state'>) {
    this.segs.set(id, [
      ...(this.segs.get(id) ?? []),
      { ...s, endedAt: null, durationMs: null, state: 'recording' },
    ]);
  }
  async closeSegment(
    id: string,
    seq: number,
    endedAt: Date,
    durationMs: number,
    state: 'finished' | 'failed',
  ) {
    const s = this.segs.get(id)?.find((x) => x.seq === seq && x.state === 'recording');
    if (s) Object.assign(s, { endedAt, durationMs, state });
  }
  async addMark(id: string, m: MarkRow) {
    this.markRows.set(id, [...(this.markRows.get(id) ?? []), m]);
  }
  async addPausedMs(id: string, ms: number) {
    const r = this.rows.get(id);
    if (r) r.pausedMs += ms;
  }
  async finish(id: string, f: Parameters<RecordingCallsRepo['finish']>[1]) {
    const r = this.rows.get(id);
    if (!r || r.state !== 'recording') return false;
    Object.assign(r, { state: f.state, endedAt: f.endedAt, bridgedMs: f.bridgedMs });
    r.lastError = f.lastError;
    return true;
  }
  async finishFromSegments(id: string, f: { endedAt: Date; retentionDays: number }) {
    const segs = this.segs.get(id) ?? [];
    const audio = segs.some((s) => s.state === 'finished' && (s.durationMs ?? 0) > 0);
    const bridgedMs = segs
      .filter((s) => s.state !== 'failed')
      .reduce((sum, s) => sum + Math.max(0, s.durationMs ?? 0), 0);
    const state = audio ? ('pending' as const) : ('failed' as const);
    const done = await this.finish(id, {
      endedAt: f.endedAt,
      bridgedMs,
      state,
      lastError: audio ? null : 'no_audio',
      retentionDays: f.retentionDays,
    });
    return done ? state : null;
  }
}

class MemoryLive implements LiveRecordingStore {
  m = new Map<string, LiveRecording>();
  async get(id: CallId) {
    return this.m.get(id) ?? null;
  }
  async put(r: LiveRecording) {
    this.m.set(r.callId, { ...r });
  }
  async delete(id: CallId) {
    this.m.delete(id);
  }
}

function rig(
  o: {
    policy?: Partial<CampaignRecordingPolicy>;
    ari?: Partial<RecordingAri>;
    consentTimeoutMs?: number;
  } = {},
) {
  const calls = new Map<string, LiveCall>();
  const ariLog: string[] = [];
  const ari: RecordingAri = {
    recordBridge: async (b, r) => void ariLog.push(`record ${b} ${r.name}`),
    stopRecording: async (n) => void ariLog.push(`stop ${n}`),
    muteRecording: async (n) => void ariLog.push(`mute ${n}`),
    unmuteRecording: async (n) => void ariLog.push(`unmute ${n}`),
    playOnChannel: async (c, m, id) => void ariLog.push(`play ${c} ${String(m)} ${id ?? ''}`),
    ...o.ari,
  };
  const repo = new MemoryRepo();
  const live = new MemoryLive();
  const published: DomainEvent[] = [];
  let now = 1_000_000;
  const recorder = new CallRecorder({
    serverId: 's1',
    ari,
    calls: { getCall: async (id) => calls.get(id) ?? null },
    live,
    repo,
    policyOf: async () => ({
      recordingMode: 'all',
      recordingPct: 0,
      consentMode: 'off',
      consentMedia: 'sound:notice',
      recordingRetentionDays: 30,
      ...o.policy,
    }),
    leadOf: async () => ({ state: 'CA', recordingConsent: null }),
    bus: {
      publish: async (e) => {
        published.push(e);
        return { stream: 'calls', seq: published.length, tsMs: now, event: e } as never;
      },
    },
    clock: { nowMs: () => (now += 100) },
    logger: createLogger('silent'),
    ...(o.consentTimeoutMs ? { consentTimeoutMs: o.consentTimeoutMs } : {}),
  });
  const call = (id: string) => {
    calls.set(id, {
      ...newLiveCall({
        callId: id as CallId,
        campaignId: '7' as CampaignId,
        leadId: '3' as LeadId,
        listId: '1' as never,
        phone: '+14155550100' as never,
        serverId: 's1',
        attempt: 1,
        originatedAtMs: now,
      }),
      stage: 'BRIDGED',
      bridgeId: 'agent-42',
    });
  };
  const enter = (channel: string, bridge = 'agent-42') =>
    recorder.observe({
      type: 'ChannelEnteredBridge',
      channel: { id: channel },
      bridge: { id: bridge, channels: [channel] },
    } as unknown as AriEvent);
  const changes = () =>
    published
      .filter((e): e is RecordingChanged => e.type === 'recording.changed')
      .map((e) => [e.state, e.segment, e.error]);
  return { recorder, repo, live, ariLog, call, enter, changes };
}

describe('call recorder', () => {
  it("the agent's own leg entering its idle bridge records nothing", async () => {
    const r = rig();
    r.enter('leg-42');
    await r.recorder.idle();
    expect(r.ariLog).toEqual([]);
    expect(r.repo.rows.size).toBe(0);
  });

  it('Asterisk refusing the bridge recording: the segment failed, said so; the call ends failed (no audio)', async () => {
    const r = rig({
      ari: {
        recordBridge: async () => {
          throw new Error('422 bridge not in the app');
        },
      },
    });
    r.call('c1');
    r.enter('c1');
    await r.recorder.idle();
    r.recorder.callEnded('c1');
    await r.recorder.idle();
    expect(r.repo.segs.get('1')?.map((s) => s.state)).toEqual(['failed']);
    expect(r.changes()).toEqual([
      ['failed', 1, 'record_refused'],
      ['failed', null, 'no_audio'],
    ]);
    expect(r.repo.rows.get('1')?.lastError).toBe('no_audio');
  });

  it('RecordingFailed from Asterisk closes the open segment as failed and publishes it', async () => {
    const r = rig();
    r.call('c2');
    r.enter('c2');
    await r.recorder.idle();
    r.recorder.observe({
      type: 'RecordingFailed',
      recording: { name: 'rec-c2-1', state: 'failed', cause: 'disk full' },
    } as unknown as AriEvent);
    await r.recorder.idle();
    expect(r.repo.segs.get('1')?.map((s) => s.state)).toEqual(['failed']);
    expect(r.changes()).toEqual([
      ['recording', 1, null],
      ['failed', 1, 'asterisk_failed'],
    ]);
    expect(await r.live.get('c2' as CallId)).toMatchObject({ state: 'stopped', name: null });
  });

  it('a consent notice Asterisk cannot play means no recording (consent_failed), never a recording without it', async () => {
    const r = rig({ policy: { consentMode: 'two_party' } });
    r.call('c3');
    r.enter('c3');
    await r.recorder.idle();
    expect(r.ariLog).toEqual(['play c3 sound:notice consent-c3']);
    r.recorder.observe({
      type: 'PlaybackFinished',
      playback: { id: 'consent-c3', state: 'failed', target_uri: 'channel:c3' },
    } as unknown as AriEvent);
    await r.recorder.idle();
    expect(r.ariLog.some((l) => l.startsWith('record'))).toBe(false);
    expect(r.repo.rows.get('1')).toMatchObject({ state: 'failed', lastError: 'consent_failed' });
    expect(r.repo.markRows.get('1')?.map((m) => m.kind)).toEqual(['consent']);
  });

  it('a consent notice that never finishes in time: not recorded (consent_timeout)', async () => {
    const r = rig({ policy: { consentMode: 'all' }, consentTimeoutMs: 30 });
    r.call('c4');
    r.enter('c4');
    await r.recorder.idle();
    await new Promise((res) => setTimeout(res, 80));
    await r.recorder.idle();
    expect(r.repo.rows.get('1')).toMatchObject({ state: 'failed', lastError: 'consent_timeout' });
    expect(await r.live.get('c4' as CallId)).toBeNull();
    r.recorder.close();
  });

  it('the call ending while the notice plays: not recorded (ended_during_consent)', async () => {
    const r = rig({ policy: { consentMode: 'all' } });
    r.call('c5');
    r.enter('c5');
    await r.recorder.idle();
    r.recorder.callEnded('c5');
    await r.recorder.idle();
    expect(r.repo.rows.get('1')).toMatchObject({
      state: 'failed',
      lastError: 'ended_during_consent',
    });
    r.recorder.close();
  });

  it('a paused segment that ends: the pause is closed with a system resume mark and counted', async () => {
    const r = rig();
    r.call('c6');
    r.enter('c6');
    await r.recorder.idle();
    const rec = (await r.live.get('c6' as CallId)) as LiveRecording;
    await r.live.put({ ...rec, state: 'paused', pausedAtMs: 1_000_000 });
    r.recorder.callEnded('c6');
    await r.recorder.idle();
    expect(r.repo.markRows.get('1')?.map((m) => [m.kind, m.source])).toEqual([
      ['resume', 'system'],
    ]);
    expect(r.repo.rows.get('1')?.pausedMs).toBeGreaterThan(0);
    expect(r.repo.rows.get('1')?.state).toBe('pending');
    expect(r.ariLog).toEqual(['record agent-42 rec-c6-1', 'stop rec-c6-1']);
  });
});
