import { CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../ports/clock.js';
import { MemoryHopper } from '../../ports/fakes/memory-hopper.js';
import type { HopperCampaign, TakenLead } from '../../ports/hopper.js';
import { DEFAULT_STATE_RULES, ruleSet } from '../../domain/state-rules.js';
import { HopperFiller } from './hopper-filler.js';

const C = CampaignId.parse('1');
const NY = 'America/New_York';
const LA = 'America/Los_Angeles';
const campaign: HopperCampaign = {
  id: C,
  hopperSize: 3,
  window: { startMinute: 9 * 60, endMinute: 20 * 60 },
  maxAttempts: 3,
  listIds: [ListId.parse('1')],
  rules: {},
};

/** A PostgreSQL side that hands out leads of the asked tz_keys and records every call. */
function fakeSource(keys: string[], phone = '+14155550123') {
  let next = 1;
  const calls = {
    take: [] as string[][],
    cleared: [] as string[][],
    deferred: [] as Array<{ leadId: string; untilMs: number }>,
  };
  return {
    calls,
    activeCampaigns: async () => [campaign],
    tzKeys: async () => keys,
    take: async (_c: HopperCampaign, dialable: ReadonlyArray<string>, limit: number) => {
      calls.take.push([...dialable]);
      const out: TakenLead[] = [];
      for (let i = 0; i < limit && dialable.length > 0; i++) {
        const tzKey = dialable[i % dialable.length] ?? '';
        out.push({
          leadId: LeadId.parse(String(next++)),
          listId: ListId.parse('1'),
          phone: E164.parse(phone),
          tzCandidates: tzKey.split(','),
          tzKey,
          attempts: 0,
          priority: 'new',
          state: null,
          postalCode: null,
          country: 'US',
        });
      }
      return out;
    },
    clearMarks: async (ids: ReadonlyArray<LeadId>) => {
      calls.cleared.push([...ids]);
      return ids.length;
    },
    clearCampaignMarks: async () => 0,
    defer: async (leads: ReadonlyArray<{ leadId: LeadId; untilMs: number }>) => {
      calls.deferred.push(...leads);
      return leads.length;
    },
  };
}

describe('hopper filler', () => {
  it('tops the hopper up to its size with leads of dialable zones only', async () => {
    // 18:00 UTC: 13:00 in New York, 10:00 in Los Angeles, 03:00 in Tokyo.
    const clock = new ManualClock(Date.parse('2026-01-15T18:00:00Z'));
    const source = fakeSource(['', NY, LA, 'Asia/Tokyo', `${LA},${NY}`]);
    const hopper = new MemoryHopper();
    const filler = new HopperFiller({ source, hopper, clock });
    expect(await filler.fillCampaign(campaign)).toMatchObject({ added: 3, size: 3 });
    expect(source.calls.take[0]).toEqual([NY, LA, `${LA},${NY}`]);
    const closes = Object.fromEntries(
      (await hopper.entries(C)).map((e) => [e.timeZones.join(','), e.windowClosesAtMs]),
    );
    expect(closes[NY]).toBe(Date.parse('2026-01-16T01:00:00Z')); // 20:00 EST
    expect(closes[LA]).toBe(Date.parse('2026-01-16T04:00:00Z')); // 20:00 PST
    expect(closes[`${LA},${NY}`]).toBe(Date.parse('2026-01-16T01:00:00Z'));
    await hopper.pop(C, 'd', 1_000, clock.nowMs());
    expect(await filler.fillCampaign(campaign)).toMatchObject({ added: 1, size: 3 });
  });

  it('never offers a zone after its window closed, even right after a cached fill', async () => {
    const clock = new ManualClock(Date.parse('2026-01-16T00:59:59Z')); // 19:59:59 in New York
    const source = fakeSource([NY, LA]);
    const hopper = new MemoryHopper();
    const filler = new HopperFiller({ source, hopper, clock });
    await filler.fillCampaign({ ...campaign, hopperSize: 1 });
    clock.advance(2_000); // 20:00:01 in New York
    await hopper.clear(C);
    await filler.fillCampaign(campaign);
    expect(source.calls.take).toEqual([[NY, LA], [LA]]);
  });

  it('removes leads whose window closed and clears their marks', async () => {
    const clock = new ManualClock(Date.parse('2026-01-15T18:00:00Z'));
    const source = fakeSource([NY]);
    const hopper = new MemoryHopper();
    const filler = new HopperFiller({ source, hopper, clock });
    await filler.fillCampaign(campaign);
    clock.set(Date.parse('2026-01-16T01:30:00Z'));
    expect(await filler.fillCampaign(campaign)).toMatchObject({ removed: 3, added: 0, size: 0 });
    expect(source.calls.cleared).toEqual([['1', '2', '3']]);
  });

  it('gives the taken leads back when Redis refuses them', async () => {
    const clock = new ManualClock(Date.parse('2026-01-15T18:00:00Z'));
    const source = fakeSource([NY]);
    const hopper = new MemoryHopper();
    hopper.add = async () => {
      throw new Error('redis down');
    };
    const filler = new HopperFiller({ source, hopper, clock });
    await expect(filler.fillCampaign(campaign)).rejects.toThrow('redis down');
    expect(source.calls.cleared).toEqual([['1', '2', '3']]);
  });

  it('defers a Florida lead after 20:00 local instead of queueing it (state rule)', async () => {
    // 00:30 UTC: 19:30 in New York (EST): federal and campaign windows open, Florida's too.
    const clock = new ManualClock(Date.parse('2026-01-16T00:30:00Z'));
    const source = fakeSource([NY], '+13055550123'); // a Miami number: Florida's rules apply
    const hopper = new MemoryHopper();
    const stateRules = { rules: () => ruleSet(DEFAULT_STATE_RULES) };
    const filler = new HopperFiller({ source, hopper, clock, stateRules });
    await filler.fillCampaign({ ...campaign, window: { startMinute: 0, endMinute: 1440 } });
    const entries = await hopper.entries(C);
    expect(entries).toHaveLength(3);
    // They leave the hopper at 20:00 Florida time, not 21:00.
    expect(entries[0]?.windowClosesAtMs).toBe(Date.parse('2026-01-16T01:00:00Z'));
    expect(entries[0]?.states).toEqual(['FL']);
    // 20:30: queued no more; deferred to 08:00 the next morning.
    clock.set(Date.parse('2026-01-16T01:30:00Z'));
    await hopper.clear(C);
    await filler.fillCampaign({ ...campaign, window: { startMinute: 0, endMinute: 1440 } });
    expect(await hopper.entries(C)).toHaveLength(0);
    expect(source.calls.deferred).toHaveLength(3);
    expect(source.calls.deferred[0]?.untilMs).toBe(Date.parse('2026-01-16T13:00:00Z'));
  });
});
