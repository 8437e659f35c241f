import { describe, expect, it } from 'vitest';
import { RecordingChanged, type AgentId, type CallId, type CampaignId } from '@ringside/protocol';
import type { LiveRecording } from '../../ports/recording-calls.js';
import { liveRecordingChanged } from './live-view.js';

const base: LiveRecording = {
  recordingId: '7',
  callId: 'call-1' as CallId,
  campaignId: '3' as CampaignId,
  serverId: 'ast1',
  state: 'recording',
  seq: 2,
  name: 'rec-call-1-2',
  bridgeId: 'agent-9',
  agentId: '9' as AgentId,
  segmentStartedAtMs: 1_000,
  offsetMs: 500,
  pausedAtMs: null,
  pausedBy: null,
  consentPlaybackId: null,
};

describe('liveRecordingChanged', () => {
  it('says recording, with the open segment and its start', () => {
    const e = liveRecordingChanged(base, 9_000);
    expect(RecordingChanged.parse(e)).toEqual(e);
    expect(e).toMatchObject({ state: 'recording', segment: 2, agentId: '9', atMs: 1_000 });
    expect(e.consentPlaying).toBeUndefined();
  });

  it('says paused since the pause, by whoever paused', () => {
    const e = liveRecordingChanged(
      { ...base, state: 'paused', pausedAtMs: 4_000, pausedBy: { userId: '9', source: 'agent' } },
      9_000,
    );
    expect(e).toMatchObject({ state: 'paused', segment: 2, by: 'agent', atMs: 4_000 });
  });

  it('says the consent notice is playing, before any segment', () => {
    const e = liveRecordingChanged(
      { ...base, state: 'consent', seq: 0, name: null, segmentStartedAtMs: null },
      9_000,
    );
    expect(RecordingChanged.parse(e)).toEqual(e);
    expect(e).toMatchObject({
      state: 'recording',
      segment: null,
      consentPlaying: true,
      atMs: 9_000,
    });
  });

  it('says stopped between segments (on hold, being transferred)', () => {
    const e = liveRecordingChanged({ ...base, state: 'stopped', name: null }, 9_000);
    expect(e).toMatchObject({ state: 'stopped', segment: 2 });
  });
});
