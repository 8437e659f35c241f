import { describe, expect, it } from 'vitest';
import type { CallId, LeadId } from '@ringside/protocol';
import { C, settle, entry, makeWorld, campaignOf, type World } from './driver-test-world.js';

let w: World;

describe('CampaignDriver: AMD errors and the AMD audit', () => {
  let k = 0;
  async function call(result: 'HUMAN' | 'MACHINE'): Promise<{ callId: CallId; leadId: LeadId }> {
    await w.hopper.add(C, [entry(200 + ++k)]);
    await settle();
    await w.driver.tick();
    await settle();
    const req = w.originator.requests.at(-1);
    if (!req) throw new Error('nothing placed');
    await w.verdict(req.callId, result);
    return { callId: req.callId, leadId: req.leadId };
  }

  /** The worker's call.ended: the live call leaves the store, then the driver hears of it. */
  async function end(
    c: { callId: CallId; leadId: LeadId },
    outcome: 'HUMAN' | 'MACHINE' | 'DROPPED',
  ) {
    const live = await w.store.getCall(c.callId);
    const e = w.ended(c.callId, c.leadId, outcome);
    if (live) await w.store.endCall(live, e);
    await w.driver.onCallEvent(e, 0);
  }

  /** Two agents, AMD errors as given: one human answer ended, then a MACHINE verdict. */
  async function machineAfterHuman(amdHumanAsMachinePct: number, amdMachineAsHumanPct: number) {
    w = makeWorld(campaignOf({ amdHumanAsMachinePct, amdMachineAsHumanPct }));
    await w.agentReady('1');
    await w.agentReady('2');
    await end(await call('HUMAN'), 'HUMAN');
    return call('MACHINE');
  }

  it('adds the expected share of a person to the ledger for each MACHINE hang-up, apart from drops', async () => {
    const machine = await machineAfterHuman(1, 5);
    expect(w.ari.log).toContain(`hangup ${machine.callId}`);
    await end(machine, 'MACHINE');
    const est = w.ledger.at(-1);
    // 1 human and 1 machine verdict, 1 % / 5 %: P = (0.95 - 0.05) / 0.94 people, 1 % of them.
    expect(est).toMatchObject({ drops: 0, humans: 0 });
    expect(est?.estimated).toBeCloseTo((0.01 * 0.9) / 0.94, 6);
    // Kept durably on the call's call_log row too (0102), for rebuilds and the reports.
    const written = w.callLogSteps.find((s) => s.callId === machine.callId)?.step;
    expect(written).toMatchObject({ kind: 'amd_estimate', answers: 0 });
    expect(written?.kind === 'amd_estimate' && written.abandoned).toBeCloseTo(
      est?.estimated ?? -1,
      9,
    );
    await settle();
    await w.driver.tick();
    await settle();
    expect(w.lastStatus()?.drops).toMatchObject({ counted: 0, humans: 1, capPct: 3 });
    expect(w.lastStatus()?.drops?.estimated).toBeCloseTo(0.01, 2);
    expect(w.lastStatus()?.amd).toMatchObject({ hangups: true, source: 'admin' });
  });

  it('sends MACHINE verdicts to agents, and says so, once AMD errors alone would spend the cap', async () => {
    const machine = await machineAfterHuman(3, 10);
    expect(w.ari.log).toContain(`addChannel agent-2 ${machine.callId}`);
    expect(w.ari.log).not.toContain(`hangup ${machine.callId}`);
    // Dropped for want of an agent: not a counted drop, its expected share of a person instead.
    await end(machine, 'DROPPED');
    const last = w.ledger.at(-1);
    expect(last).toMatchObject({ drops: 0, humans: 0 });
    expect(last?.estimated).toBeGreaterThan(0);
    expect(last?.estimated).toBeLessThan(0.1);
    await w.driver.tick();
    expect(w.lastStatus()?.amd?.hangups).toBe(false);
    expect(w.lastStatus()?.amd?.note).toMatch(/machine verdicts go to agents/);
  });

  it("sends the campaign's audit share of MACHINE verdicts to agents and hangs up on the rest", async () => {
    const pending: string[] = [];
    w = makeWorld(campaignOf({ amdAuditPct: 50 }), null, undefined, {
      amdAudit: {
        marks: async () => ({ person: 0, machine: 0 }),
        pending: async (_c, callId) => void pending.push(callId),
      },
    });
    await w.agentReady('1');
    const first = await call('MACHINE');
    await end(first, 'MACHINE');
    const second = await call('MACHINE');
    expect(w.ari.log).toContain(`hangup ${first.callId}`);
    expect(w.ari.log).toContain(`addChannel agent-1 ${second.callId}`);
    // Only the one sent to an agent may be marked by that agent.
    expect(pending).toEqual([second.callId]);
    // The audited one is no hang-up and, being a MACHINE verdict, no counted live answer either:
    // it counts as its expected share of a person (0 here: no AMD error estimate).
    await end(second, 'HUMAN');
    expect(w.ledger.filter((x) => x.humans > 0 || x.drops > 0)).toEqual([]);
  });

  it("follows the audit's marks once there are enough, with their interval", async () => {
    w = makeWorld(
      campaignOf({ amdHumanAsMachinePct: 0.5, amdMachineAsHumanPct: 5 }),
      null,
      undefined,
      {
        amdAudit: {
          marks: async () => ({ person: 4, machine: 36 }),
          pending: async () => undefined,
        },
      },
    );
    await w.driver.recover();
    await w.agentReady('1');
    await call('HUMAN');
    await w.driver.tick();
    const amd = w.lastStatus()?.amd;
    expect(amd?.source).toBe('audit');
    expect(amd?.interval?.marks).toBe(40);
    expect(amd?.interval?.lo).toBeLessThan(0.1);
    expect(amd?.interval?.hi).toBeGreaterThan(0.1);
  });
});
