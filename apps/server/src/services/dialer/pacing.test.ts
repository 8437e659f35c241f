import { beforeEach, describe, expect, it } from 'vitest';
import type { AgentId, E164 } from '@ringside/protocol';
import { UnavailableError } from '../../errors.js';
import type { HopperEntry } from '../../ports/hopper.js';
import { TelephonyError } from '../../ports/telephony-errors.js';
import { DEFAULT_STATE_RULES, ruleSet } from '../../domain/state-rules.js';
import type { OriginateResult } from '../../ports/dialer.js';
import { checkDialerSettings, toDialerCampaign } from './settings.js';
import {
  T0,
  C,
  campaignRow,
  entry,
  makeWorld,
  campaignOf,
  type World,
} from './driver-test-world.js';

let w: World;

describe('CampaignDriver: placing calls', () => {
  beforeEach(() => {
    w = makeWorld(campaignOf());
  });

  it('places one call per ready agent in progressive mode, ringing at least 15 s', async () => {
    await w.agentReady('1');
    await w.agentReady('2');
    await w.hopper.add(C, [entry(1), entry(2), entry(3)]);
    await w.driver.tick();
    expect(w.originator.requests).toHaveLength(2);
    expect(w.originator.requests.every((r) => r.ringTimeoutS >= 15 && r.agentId === null)).toBe(
      true,
    );
    expect(await w.hopper.size(C)).toBe(1);
    expect(await w.hopper.leasedCount(C)).toBe(0); // acked
    expect(w.leads.writes.filter((x) => x.startsWith('dialed'))).toHaveLength(2);
  });

  it('reports a changed dial level at once, not at the next periodic refresh', async () => {
    // A wall clock that stands still: only a change can make the driver report again.
    w = makeWorld(campaignOf({ dialMethod: 'ratio', dialLevel: 2 }), null, () => 5);
    await w.agentReady('1');
    await w.driver.tick();
    await w.driver.tick();
    expect(w.levels).toEqual([2]); // the same status twice is reported once
    w.driver.update(campaignOf({ dialMethod: 'ratio', dialLevel: 3.5 }), null);
    await w.driver.tick();
    expect(w.levels.at(-1)).toBe(3.5);
  });

  it('never dials while no agent of the campaign is ready', async () => {
    await w.sessions.apply('1' as AgentId, { type: 'login', campaignId: C }, 'agent'); // paused
    await w.hopper.add(C, [entry(1)]);
    await w.driver.tick();
    expect(w.originator.requests).toHaveLength(0);
    expect(w.lastStatus()?.reason).toMatch(/not dialing/i);
  });

  it('skips a number on DNC at dial time and dials the next lead instead', async () => {
    await w.agentReady('1');
    await w.hopper.add(C, [entry(1), entry(2)]);
    w.dnc.add(entry(1).phone);
    await w.driver.tick();
    expect(w.originator.requests.map((r) => r.leadId)).toEqual([entry(2).leadId]);
    expect(w.leads.writes).toContain(`skipped ${entry(1).leadId} DNC`);
    expect((await w.hopper.entries(C)).map((e) => e.leadId)).not.toContain(entry(1).leadId);
  });

  it('skips a lead whose local time is outside the calling window', async () => {
    await w.agentReady('1');
    await w.hopper.add(C, [entry(1, { timeZones: ['Asia/Tokyo'] })]);
    await w.driver.tick();
    expect(w.originator.requests).toHaveLength(0);
    expect(w.leads.writes).toContain(`skipped ${entry(1).leadId} CALLING_WINDOW`);
  });

  describe('state calling rules at dial time', () => {
    const miami = (n: number, over: Partial<HopperEntry> = {}) =>
      entry(n, { phone: `+1305555${String(n).padStart(4, '0')}` as E164, ...over });
    let dials: Array<{ phone: string; atMs: number }>;
    const withRules = (campaign = campaignOf({ windowEnd: '21:00' })) => {
      dials = [];
      w = makeWorld(campaign, null, undefined, {
        compliance: {
          rules: () => ruleSet(DEFAULT_STATE_RULES),
          attempts: {
            recent: async (phone, sinceMs) =>
              dials.filter((d) => d.phone === phone && d.atMs > sinceMs).map((d) => d.atMs),
            record: async (phone, atMs) => void dials.push({ phone, atMs }),
          },
        },
      });
    };

    it('skips a Florida number dialed 3 times in 24 hours and counts each dial it places', async () => {
      withRules();
      await w.agentReady('1');
      const phone = miami(1).phone;
      for (const h of [20, 6, 1]) dials.push({ phone, atMs: T0 - h * 3600_000 });
      await w.hopper.add(C, [miami(1), miami(2)]);
      await w.driver.tick();
      expect(w.leads.writes).toContain(`skipped ${miami(1).leadId} STATE_ATTEMPTS`);
      expect(w.originator.requests.map((r) => r.leadId)).toEqual([miami(2).leadId]);
      expect(dials.filter((d) => d.phone === miami(2).phone)).toHaveLength(1);
    });

    it("skips a Florida lead at 20:30 local (Florida's window ends at 20:00)", async () => {
      withRules();
      w.clock.set(T0 + 8.5 * 3600_000); // 20:30 in New York and Miami
      await w.agentReady('1');
      await w.hopper.add(C, [miami(1, { windowClosesAtMs: T0 + 24 * 3600_000 })]);
      await w.driver.tick();
      expect(w.originator.requests).toHaveLength(0);
      expect(w.leads.writes).toContain(`skipped ${miami(1).leadId} STATE_WINDOW`);
    });
  });

  it('places no new call once its campaign is stopped, while it finishes the live ones', async () => {
    await w.agentReady('1');
    await w.hopper.add(C, [entry(1)]);
    w.driver.setDraining(true);
    await w.driver.tick();
    expect(w.originator.requests).toHaveLength(0);
    expect(w.lastStatus()?.reason).toMatch(/Campaign stopped/);
  });

  it('idles and says the hopper is empty when there is no lead', async () => {
    await w.agentReady('1');
    await w.driver.tick();
    expect(w.lastStatus()).toMatchObject({ state: 'idle' });
    expect(w.lastStatus()?.reason).toMatch(/^Hopper empty/);
  });

  it('returns a refused lead to the hopper and recycles it after three refusals', async () => {
    await w.agentReady('1');
    await w.hopper.add(C, [entry(1)]);
    const refused: OriginateResult = {
      ok: false,
      attempted: true,
      error: new TelephonyError(500, 'Allocation failed', 'channels.originate'),
    };
    w.originator.results = [refused, refused, refused];
    await w.driver.tick();
    expect(await w.hopper.size(C)).toBe(1); // released, not lost
    await w.driver.tick();
    await w.driver.tick();
    expect(await w.hopper.size(C)).toBe(0);
    expect(w.leads.writes).toContain(`ended ${entry(1).leadId} ORIGINATE_FAILED`);
  });

  it('stops dialing and keeps the lead when no server can take a call', async () => {
    await w.agentReady('1');
    await w.agentReady('2');
    await w.hopper.add(C, [entry(1), entry(2)]);
    w.originator.results = [
      { ok: false, attempted: false, error: new UnavailableError('no server') },
    ];
    await w.driver.tick();
    expect(w.originator.requests).toHaveLength(1);
    expect(await w.hopper.size(C)).toBe(2);
    expect(w.lastStatus()?.reason).toMatch(/No Asterisk server/);
  });

  it('refuses to dial a campaign whose settings are out of range, naming the field and limit', async () => {
    const bad = campaignRow({ dropWaitMs: 2_500 });
    const invalid = checkDialerSettings(bad);
    expect(invalid?.issues[0]).toMatchObject({ path: 'dropWaitMs' });
    expect(invalid?.message).toMatch(/2000/);
    expect(checkDialerSettings(campaignRow({ ringTimeoutS: 10 }))?.message).toMatch(
      /ringTimeoutS.*15/,
    );
    expect(checkDialerSettings(campaignRow({ dialLevel: 0 }))?.message).toMatch(
      /dialLevel.*greater than 0/,
    );
    w = makeWorld(toDialerCampaign(bad, []), invalid);
    await w.agentReady('1');
    await w.hopper.add(C, [entry(1)]);
    await w.driver.tick();
    expect(w.originator.requests).toHaveLength(0);
    expect(w.lastStatus()).toMatchObject({ state: 'blocked' });
    expect(w.lastStatus()?.reason).toMatch(/dropWaitMs/);
  });
});
