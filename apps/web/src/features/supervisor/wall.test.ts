import { describe, expect, it } from 'vitest';
import { DEFAULT_WALL_THRESHOLDS, DomainEvent, type SnapshotData } from '@ringside/protocol';
import {
  applySnapshot,
  campaignHeaders,
  dropSeverity,
  emptyDashboard,
  holdingBack,
  modeWord,
  severity,
  thresholdsOf,
  type Roster,
} from './model.js';

const campaign = (id: string, over: Partial<Roster['campaigns'][number]> = {}) => ({
  id,
  name: `C${id}`,
  dialMethod: 'predictive' as const,
  dialLevel: 2,
  dropRateCapPct: 3,
  drops: { today: { drops: 1, humanAnswers: 100 }, window: { drops: 20, humanAnswers: 1000 } },
  ...over,
});

describe('the wall: thresholds, drop colours and the mode word', () => {
  it("colours a row by its own campaign's thresholds, and by the defaults when the roster has none", () => {
    const roster: Roster = {
      agents: [],
      campaigns: [
        campaign('1', {
          thresholds: {
            ...DEFAULT_WALL_THRESHOLDS,
            states: { ...DEFAULT_WALL_THRESHOLDS.states, READY: { warnS: 10, alertS: 20 } },
          },
        }),
        campaign('2'),
      ],
    };
    const of = thresholdsOf(roster);
    expect(severity('READY', 15_000, of('1'))).toBe('warn');
    expect(severity('READY', 20_000, of('1'))).toBe('alert');
    // Campaign 2 and agents without a campaign: READY warns at 60 s.
    expect(severity('READY', 20_000, of('2'))).toBe('ok');
    expect(severity('READY', 60_000, of(null))).toBe('warn');
  });

  it('drop rates: ok below the warning, warn from it, alert at the cap, ok without answers', () => {
    expect(dropSeverity(2.49, 2.5, 3)).toBe('ok');
    expect(dropSeverity(2.5, 2.5, 3)).toBe('warn');
    expect(dropSeverity(3, 2.5, 3)).toBe('alert');
    expect(dropSeverity(null, 2.5, 3)).toBe('ok');
  });

  it('says the dial method as one word and what pacing does in words, never a second mode', () => {
    expect(modeWord('predictive')).toBe('Predictive');
    expect(holdingBack('predictive', 'predictive')).toBeNull();
    expect(holdingBack('predictive', 'progressive')).toBe('for now one call per ready agent');
    expect(holdingBack('predictive', 'progressive')).not.toMatch(/progressive/i);
  });

  it("takes drops, occupancy and the drop warning from the dialer's report and the roster", () => {
    const roster: Roster = {
      agents: [],
      campaigns: [campaign('1', { thresholds: { ...DEFAULT_WALL_THRESHOLDS, dropWarnPct: 1.5 } })],
    };
    const status = DomainEvent.parse({
      type: 'dialer.status',
      campaignId: '1',
      state: 'dialing',
      reason: 'r',
      mode: 'predictive',
      appliedMode: 'predictive',
      dialLevel: 2,
      readyAgents: 1,
      callsInFlight: 0,
      waitingForAgent: 0,
      hopperSize: 1,
      dialableLeads: null,
      dialableAtMs: null,
      kpi: {
        dayStartMs: 0,
        handledCalls: 1,
        ahtMs: 1,
        connectedCalls: 1,
        asaMs: 1,
        occupancyPct: 72.5,
      },
      drops: {
        counted: 2,
        estimated: 0,
        humans: 100,
        ratePct: 2,
        capPct: 3,
        today: { drops: 1, humans: 40 },
      },
      atMs: 1,
    }) as Extract<DomainEvent, { type: 'dialer.status' }>;
    const snap: SnapshotData = {
      scope: 'supervisor',
      reason: 'subscribe',
      agent: null,
      agents: [
        {
          agentId: '7',
          state: 'READY',
          sinceMs: 0,
          campaignId: '1',
          callId: null,
          pauseCode: null,
        },
      ],
      calls: [],
      campaigns: [status],
    } as SnapshotData;
    const h = campaignHeaders(applySnapshot(emptyDashboard, snap), roster)[0];
    expect(h).toMatchObject({ drop30dPct: 2, dropTodayPct: 2.5, dropWarnPct: 1.5 });
    expect(h?.dialer?.occupancyPct).toBe(72.5);
  });
});
