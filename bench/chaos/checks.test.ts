import { describe, expect, it } from 'vitest';
import { faultSchedule, parseChaosArgs } from './args.js';
import {
  abandonmentInFaults,
  doubledLeads,
  lostLeads,
  recoveryMs,
  recoveryStats,
  stuckAgents,
  type CallRow,
  type Fault,
} from './checks.js';

const call = (o: Partial<CallRow> & Pick<CallRow, 'leadId' | 'digits'>): CallRow => ({
  serverId: 'a',
  agentId: null,
  outcome: 'BUSY',
  originatedMs: 0,
  connectedMs: null,
  dropped: false,
  human: false,
  ...o,
});

const fault = (o: Partial<Fault>): Fault => ({
  kind: 'kill dialer',
  target: 'dialer-1',
  note: '',
  atMs: 1_000,
  endMs: 2_000,
  recoveredMs: null,
  ...o,
});

describe('bench:chaos checks', () => {
  it('counts a lead dialed twice from either PBX or from call_log, not a refused originate', () => {
    const calls = [
      call({ leadId: '1', digits: '11' }),
      call({ leadId: '2', digits: '22' }),
      call({ leadId: '2', digits: '22', outcome: 'ORIGINATE_FAILED' }),
      call({ leadId: '3', digits: '33' }),
      call({ leadId: '3', digits: '33' }),
      call({ leadId: '4', digits: '44' }),
    ];
    // 11 once on each PBX: doubled although call_log has one row (a call it never recorded).
    const originates: Array<Record<string, number>> = [
      { '11': 1, '22': 1, '33': 1 },
      { '11': 1, '44': 1 },
    ];
    expect(doubledLeads(originates, calls)).toEqual(['1', '3']);
    expect(doubledLeads([{ '11': 1 }], [call({ leadId: '1', digits: '11' })])).toEqual([]);
  });

  it('counts a lead lost when marked in the hopper, in no entry, never called nor originated', () => {
    const marked = [
      { leadId: '1', digits: '11' },
      { leadId: '2', digits: '22' },
      { leadId: '3', digits: '33' },
      { leadId: '4', digits: '44' },
    ];
    const lost = lostLeads(
      marked,
      new Set(['1']),
      [call({ leadId: '2', digits: '22' })],
      [{ '33': 1 }],
    );
    expect(lost).toEqual(['4']);
  });

  it('finds agents left in a state only a call or a disposition ends', () => {
    expect(
      stuckAgents([
        { agentId: 'a', state: 'READY' },
        { agentId: 'b', state: 'PAUSED' },
        { agentId: 'c', state: 'INCALL' },
        { agentId: 'd', state: 'WRAPUP' },
        { agentId: 'e', state: 'LOGGED_OUT' },
      ]),
    ).toEqual(['c:INCALL', 'd:WRAPUP']);
  });

  it('measures recovery to the first hand-off of a call placed after the fault', () => {
    const calls = [
      call({ leadId: '1', digits: '1', originatedMs: 900, connectedMs: 1_100 }),
      call({ leadId: '2', digits: '2', originatedMs: 1_500, connectedMs: 4_000 }),
      call({ leadId: '3', digits: '3', originatedMs: 1_600, connectedMs: 3_000, agentId: 'x' }),
    ];
    expect(recoveryMs(fault({}), calls)).toBe(2_000);
    // A PBX away: only hand-offs to the agents homed there count.
    expect(recoveryMs(fault({ kind: 'pbx away' }), calls, new Set(['y']))).toBeNull();
    expect(recoveryMs(fault({ kind: 'pbx away' }), calls.slice(0, 2), new Set())).toBeNull();
    expect(
      recoveryMs(
        fault({ kind: 'pbx away' }),
        [call({ leadId: '4', digits: '4', originatedMs: 1_700, connectedMs: 5_000, agentId: 'y' })],
        new Set(['y']),
      ),
    ).toBe(4_000);
  });

  it('counts abandonment over the calls placed in a fault window', () => {
    const f = fault({ atMs: 1_000, endMs: 2_000, recoveredMs: 500 });
    const calls = [
      call({ leadId: '1', digits: '1', originatedMs: 500, human: true, dropped: true }),
      call({ leadId: '2', digits: '2', originatedMs: 1_500, human: true, dropped: true }),
      call({ leadId: '3', digits: '3', originatedMs: 11_900, human: true }),
      call({ leadId: '4', digits: '4', originatedMs: 12_100, human: true, dropped: true }),
    ];
    expect(abandonmentInFaults([f], calls, 99_000)).toEqual({ humans: 2, drops: 1, pct: 50 });
    expect(abandonmentInFaults([], calls, 99_000).pct).toBeNull();
  });

  it('gives p50 and max of the recovered faults, the others counted apart', () => {
    expect(recoveryStats([3, 1, null, 2])).toEqual({ n: 4, unrecovered: 1, p50Ms: 2, maxMs: 3 });
    expect(recoveryStats([null])).toEqual({ n: 1, unrecovered: 1, p50Ms: null, maxMs: null });
  });
});

describe('bench:chaos command line', () => {
  it('parses the options, refuses bad ones and spreads the faults over the run', () => {
    const a = parseChaosArgs(['--agents', '60', '--minutes', '8', '--json'], 'x.json');
    expect(a).toMatchObject({ agents: 60, minutes: 8, json: true, failovers: 3, pbxAways: 2 });
    expect(() => parseChaosArgs(['--agents', '0'], 'x')).toThrow(/--agents must be/);
    expect(() => parseChaosArgs(['--nope'], 'x')).toThrow(/unknown option/);
    const s = faultSchedule({ minutes: 8, failovers: 3, pbxAways: 2, pbxAwayS: 30 });
    expect(s.failoversAtS).toEqual([48, 208, 368]);
    // The last away is back 45 s before the end (480 s) at the latest.
    expect(Math.max(...s.pbxAwaysAtS) + 30).toBeLessThanOrEqual(480 - 45);
  });
});
