import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AgentState } from '@ringside/protocol';
import { dialGuard, DIAL_GUARD_RULE, takesCalls } from './guard.js';

const team = (...states: AgentState[]) => states.map((state) => ({ state }));

describe('the no-agent guard', () => {
  it('lets a team that is all in calls or wrap-up dial ahead (working rule)', () => {
    const g = dialGuard(team('INCALL', 'WRAPUP', 'DEAD', 'RESERVED'), 'working');
    expect(g).toEqual({ ok: true, agents: 4, reason: '' });
  });

  it('never dials when every agent is paused or logged out', () => {
    for (const rule of ['working', 'ready'] as const) {
      const g = dialGuard(team('PAUSED', 'LOGGED_OUT', 'PAUSED'), rule);
      expect(g.ok).toBe(false);
      expect(g.agents).toBe(0);
      expect(g.reason).toMatch(/not dialing/);
    }
    expect(dialGuard([]).ok).toBe(false);
  });

  it('needs an agent in the READY state under the strict rule', () => {
    expect(dialGuard(team('INCALL', 'WRAPUP'), 'ready').ok).toBe(false);
    expect(dialGuard(team('INCALL', 'READY', 'PAUSED'), 'ready')).toMatchObject({
      ok: true,
      agents: 1,
    });
  });

  it('reads only the first `count` agents', () => {
    expect(dialGuard(team('PAUSED', 'READY'), 'working', 1).ok).toBe(false);
  });

  it('is what the dialer applies: an agent in the READY state', () => {
    expect(DIAL_GUARD_RULE).toBe('ready');
    expect(dialGuard(team('INCALL', 'WRAPUP')).ok).toBe(false);
    expect(AgentState.options.filter((s) => takesCalls(s))).toEqual(['READY']);
    expect(AgentState.options.filter((s) => takesCalls(s, 'working')).sort()).toEqual([
      'DEAD',
      'INCALL',
      'READY',
      'RESERVED',
      'WRAPUP',
    ]);
  });

  it('counts exactly the agents the rule names, and the strict rule never counts more', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...AgentState.options), { maxLength: 30 }), (states) => {
        const agents = team(...states);
        const working = dialGuard(agents, 'working');
        const ready = dialGuard(agents, 'ready');
        expect(working.agents).toBe(
          states.filter((s) => s !== 'PAUSED' && s !== 'LOGGED_OUT').length,
        );
        expect(ready.agents).toBe(states.filter((s) => s === 'READY').length);
        expect(ready.agents).toBeLessThanOrEqual(working.agents);
        expect(working.ok).toBe(working.agents > 0);
      }),
    );
  });
});
