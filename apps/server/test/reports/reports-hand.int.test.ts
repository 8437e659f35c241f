import { describe, expect, it } from 'vitest';
import type { ReportRange } from '../../src/ports/reports.js';
import { H, ids, repo, S, useReportsDb } from './fixture.js';

/** Report queries against the real PostgreSQL on the hand-computed fixture (campaign "hand"). */

useReportsDb();

const handDay: ReportRange = { fromMs: H, toMs: H + 86_400_000 };

describe('reports on the hand-computed fixture', () => {
  it('outbound by hour: 5 dials, 4 answers, 3 humans, 1 machine, 1 drop = 33.3%, ASA 750 ms', async () => {
    const rows = await repo.outbound({ ...handDay, campaignId: ids.hand }, 'hour');
    expect(rows).toEqual([
      {
        hourAtMs: H + 10 * 3_600_000,
        campaignId: null,
        listId: null,
        dials: 5,
        answers: 4,
        humanAnswers: 3,
        machines: 1,
        drops: 1,
        dropPct: 100 / 3,
        connected: 2,
        asaMs: 750,
      },
      expect.objectContaining({
        hourAtMs: H + 11 * 3_600_000,
        dials: 1,
        answers: 0,
        dropPct: null,
      }),
    ]);
  });

  it('agent performance: 2 calls, talk 180 s, wrap 40 s, AHT 110 s, 1 sale = 50%', async () => {
    const [row, ...rest] = await repo.agentPerformance({ ...handDay, campaignId: ids.hand });
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      agentId: ids.handAgent,
      agentName: 'Agent 0',
      teamId: ids.teamA,
      calls: 2,
      talkMs: 180_000,
      wrapMs: 40_000,
      ahtMs: 110_000,
      sales: 1,
      callbacks: 0,
      final: 2,
      undisposed: 0,
      conversionPct: 50,
      byDisposition: { SALE: 1, NI: 1 },
    });
  });

  it('agent time: login 1050 s (logged-out time excluded), pause by code, occupancy 20%', async () => {
    const rows = await repo.agentTime({ ...handDay, campaignId: ids.hand });
    expect(rows).toEqual([
      {
        agentId: ids.handAgent,
        agentName: 'Agent 0',
        teamId: ids.teamA,
        loginMs: 1_050_000,
        waitMs: 600_000,
        talkMs: 120_000,
        wrapMs: 30_000,
        deadMs: 0,
        pauseMs: 300_000,
        pauseByCodeMs: { BREAK: 300_000 },
        occupancyPct: 20,
      },
    ]);
  });

  it('compliance: 1 drop of 3 human answers is over the 3% cap, with its wait and safe harbor', async () => {
    const [c] = await repo.complianceTotals(H - 29 * 86_400_000, H + 86_400_000, ids.hand);
    expect(c).toMatchObject({
      campaignId: ids.hand,
      campaignName: 'hand',
      capPct: 3,
      humanAnswers: 3,
      drops: 1,
      overCap: true,
      days: [{ dayAtMs: H, humanAnswers: 3, drops: 1 }],
    });
    const drops = await repo.complianceDrops(H, H + 86_400_000, {
      campaignId: ids.hand,
      limit: 10,
    });
    expect(drops).toEqual([
      {
        callId: 'h3',
        campaignId: ids.hand,
        listId: ids.handList,
        leadId: ids.handLead,
        answeredAtMs: H + 10 * 3_600_000 + 125 * S,
        dropWaitMs: 2_000,
        safeHarborAtMs: H + 10 * 3_600_000 + 127 * S,
        endedAtMs: H + 10 * 3_600_000 + 133 * S,
      },
    ]);
  });

  it('lead history: calls, log events and the callback in time order', async () => {
    const events = await repo.leadHistory(ids.handLead);
    expect(
      events.map((e) => (e.source === 'call' ? e.callId : e.source === 'log' ? e.kind : 'cb')),
    ).toEqual(['h1', 'dialed', 'h2', 'h3', 'disposed', 'cb', 'h4', 'h5', 'h6']);
    expect(events[0]).toMatchObject({ source: 'call', outcome: 'HUMAN', disposition: 'SALE' });
    expect(await repo.leadExists(ids.handLead)).toBe(true);
    expect(await repo.leadExists('999999')).toBe(false);
  });
});
