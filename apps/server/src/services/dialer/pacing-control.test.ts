import { describe, expect, it } from 'vitest';
import type { AgentId, CallId, E164, LeadId } from '@ringside/protocol';
import type { PacingControl } from '../../domain/pacing/index.js';
import { newLiveCall } from '../telephony/ari-worker-originator.js';
import { C, LIST, settle, entry, makeWorld, campaignOf, type World } from './driver-test-world.js';

let w: World;

describe('CampaignDriver: the predictive controller state (parity with bench/pacing)', () => {
  let n = 0;
  /** A call of the campaign the driver follows, ended with `outcome` after the usual delays. */
  async function finishedCall(outcome: 'HUMAN' | 'NO_ANSWER' | 'MACHINE'): Promise<void> {
    const callId = `t${++n}` as CallId;
    const leadId = String(5000 + n) as LeadId;
    const at = w.clock.nowMs();
    const answered = outcome === 'NO_ANSWER' ? null : at - 8_000;
    w.driver.adopt({
      ...newLiveCall(
        {
          callId,
          campaignId: C,
          leadId,
          listId: LIST,
          phone: '+12125550100' as E164,
          attempt: 1,
          agentId: null,
          manual: false,
          ringTimeoutS: 15,
          callerId: null,
        },
        's1',
        at - 15_000,
      ),
      answeredAtMs: answered,
      amdAtMs: answered === null ? null : answered + 2_000,
      amdResult: answered === null ? null : outcome === 'HUMAN' ? 'HUMAN' : 'MACHINE',
    });
    await w.driver.onCallEvent(w.ended(callId, leadId, outcome), 0);
  }

  /** Enough outcomes and conversations for the predictive mode to leave its learning phase. */
  async function teach(): Promise<void> {
    for (let i = 0; i < 220; i++) await finishedCall(i % 4 === 0 ? 'HUMAN' : 'NO_ANSWER');
    const agentId = 'teacher' as AgentId;
    for (let i = 0; i < 25; i++) {
      const t = w.clock.nowMs();
      const base = { type: 'agent.state_changed' as const, agentId, campaignId: C };
      const common = { pauseCode: null, callId: null, reason: 'x' };
      await w.driver.onAgentEvent({
        ...base,
        ...common,
        from: 'RESERVED',
        to: 'INCALL',
        sinceMs: t,
        atMs: t,
      });
      await w.driver.onAgentEvent({
        ...base,
        ...common,
        from: 'INCALL',
        to: 'WRAPUP',
        sinceMs: t,
        atMs: t + 60_000,
      });
      await w.driver.onAgentEvent({
        ...base,
        ...common,
        from: 'WRAPUP',
        to: 'PAUSED',
        sinceMs: t + 60_000,
        atMs: t + 70_000,
      });
    }
  }

  function predictiveWorld(stored: PacingControl | null, saved: PacingControl[]): void {
    let wall = 0;
    w = makeWorld(campaignOf({ dialMethod: 'predictive' }), null, () => (wall += 60_000), {
      pacingControl: {
        load: async () => stored,
        save: async (_c, control) => {
          saved.push(control);
          return true;
        },
      },
    });
  }

  it(
    "passes each decision the previous one's controller state, so theta moves",
    { timeout: 60_000 },
    async () => {
      const saved: PacingControl[] = [];
      predictiveWorld(null, saved);
      await w.agentReady('1');
      await teach();
      await w.driver.tick();
      const first = w.driver.pacingControl();
      expect(first?.theta).toBeCloseTo(0.02, 6);
      // 300 human answers without a drop: the controller raises theta (0.02 x e^0.25).
      for (let i = 0; i < 300; i++) await finishedCall('HUMAN');
      await w.driver.tick();
      await settle();
      expect(w.driver.pacingControl()?.theta).toBeCloseTo(0.02 * Math.exp(0.25), 6);
      // Every change went to the store that a restarted or taking-over dialer reads.
      expect(saved.at(-1)).toEqual(w.driver.pacingControl());
    },
  );

  it('continues from the controller state a previous lease holder stored', async () => {
    const saved: PacingControl[] = [];
    predictiveWorld({ theta: 0.3, humansAt: 0, dropsAt: 0 }, saved);
    await w.driver.recover();
    await w.agentReady('1');
    await teach();
    await w.hopper.add(C, [entry(1), entry(2), entry(3), entry(4)]);
    await w.driver.tick();
    // 55 human answers since the stored marks: too few for an update, theta stays the stored one.
    expect(w.driver.pacingControl()).toEqual({ theta: 0.3, humansAt: 0, dropsAt: 0 });
    expect(w.lastStatus()?.reason).toMatch(/risking up to 30% per call/);
  });
});
