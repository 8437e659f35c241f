import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentId, CallId, CampaignId, SnapshotData } from '@ringside/protocol';
import { liveCall } from '../../src/ports/fakes/conformance/fixtures.js';
import type { LiveRecording } from '../../src/ports/recording-calls.js';
import { createHarness, type Harness } from '../http/harness.js';
import { isType, TestClient } from './client.js';

/**
 * A panel or a wall opened mid-call shows the call's recording at once: the snapshot carries the
 * live recordings (docs/recording.md), read from the live-recording store of the calls it lists.
 */
let h: Harness;
let url: string;
const live = new Map<string, LiveRecording>();

beforeAll(async () => {
  h = await createHarness({}, { liveRecordings: { get: async (id) => live.get(id) ?? null } });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = h.app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  url = `ws://127.0.0.1:${addr.port}/ws`;
});
afterAll(async () => h?.close());

async function snapshotOf(token: string): Promise<SnapshotData> {
  const c = await TestClient.connect(url, token);
  c.send('subscribe', {});
  const m = await c.waitFor(isType('snapshot'));
  c.close();
  if (m.type !== 'snapshot') throw new Error('not a snapshot');
  return m.data;
}

describe('snapshots carry the live calls recordings', () => {
  it('paused since its pause for the supervisor; none for a call not recorded', async () => {
    const campaign = h.campaignId as CampaignId;
    const recorded = 'call-rec-1' as CallId;
    const plain = 'call-rec-2' as CallId;
    for (const callId of [recorded, plain]) {
      await h.store.putCall(liveCall(callId, { campaignId: campaign, stage: 'BRIDGED' }), {
        type: 'call.answered',
        callId,
        atMs: Date.now(),
      });
    }
    live.set(recorded, {
      recordingId: '41',
      callId: recorded,
      campaignId: campaign,
      serverId: 'sim',
      state: 'paused',
      seq: 1,
      name: `rec-${recorded}-1`,
      bridgeId: 'agent-1',
      agentId: h.users.agent.id as AgentId,
      segmentStartedAtMs: 1_000,
      offsetMs: 0,
      pausedAtMs: 5_000,
      pausedBy: { userId: h.users.agent.id, source: 'agent' },
      consentPlaybackId: null,
    });
    const snap = await snapshotOf(await h.login('super'));
    expect(snap.calls.map((c) => c.callId).sort()).toEqual([recorded, plain].sort());
    expect(snap.recordings).toEqual([
      expect.objectContaining({
        type: 'recording.changed',
        callId: recorded,
        recordingId: '41',
        state: 'paused',
        segment: 1,
        by: 'agent',
        atMs: 5_000,
      }),
    ]);
  });
});
