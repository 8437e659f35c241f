import { describe, expect, it } from 'vitest';
import type { CallId, E164 } from '@ringside/protocol';
import { newLiveCall } from '../../ports/state-store.js';
import { CampaignDriver } from './campaign-driver.js';
import { C, LIST, T0, campaignOf, entry, makeWorld } from './driver-test-world.js';

describe('CampaignDriver recovery: leads a dead lease holder did not settle', () => {
  it('acks their hopper leases, applies an ended call to its lead, and leaves a never-placed one to expire', async () => {
    const w = makeWorld(campaignOf());
    const [ended, live, never] = [entry(1), entry(2), entry(3)];
    await w.hopper.add(C, [ended, live, never]);
    // The dead holder popped all three and recorded a call for each, acking none.
    const popped = await w.hopper.popMany(C, 'dead-dialer', 3, 30_000, T0);
    expect(popped).toHaveLength(3);
    const liveId = 'c-live' as CallId;
    await w.store.putCall(
      newLiveCall({
        callId: liveId,
        campaignId: C,
        leadId: live.leadId,
        listId: LIST,
        phone: '+12125550002' as E164,
        serverId: 's1',
        attempt: 1,
        originatedAtMs: T0,
      }),
      {
        type: 'call.originated',
        callId: liveId,
        campaignId: C,
        leadId: live.leadId,
        listId: LIST,
        agentId: null,
        serverId: 's1',
        channelId: liveId,
        atMs: T0,
      },
    );
    w.leads.unsettledCalls = [
      { callId: 'c-ended' as CallId, leadId: ended.leadId, outcome: 'BUSY', endedAtMs: T0 + 2_000 },
      { callId: liveId, leadId: live.leadId, outcome: null, endedAtMs: null },
      { callId: 'c-never' as CallId, leadId: never.leadId, outcome: null, endedAtMs: null },
    ];
    const fresh = new CampaignDriver({ ...w.deps }, campaignOf(), null);
    await fresh.recover();
    // The ended call's lead is recycled once; the live one's waits for its end.
    expect(w.leads.writes).toEqual([`ended ${ended.leadId} BUSY`]);
    // Only the never-placed lead is still leased: its expiry gives it back to the hopper.
    expect(await w.hopper.leasedCount(C)).toBe(1);
    expect(await w.hopper.release(C, never.leadId)).toBe(true);
    expect(await w.hopper.release(C, ended.leadId)).toBe(false);
    expect(await w.hopper.release(C, live.leadId)).toBe(false);
  });
});
