import { describe, expect, it } from 'vitest';
import type { ComplianceDrop, ReportFilters } from '@ringside/protocol';
import type { ReportRange, ReportsDatabase, ReportsQueries } from '../../ports/reports.js';
import { ValidationError } from '../../errors.js';
import { ManualClock } from '../../ports/clock.js';
import { ReportsService } from './reports-service.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

function drop(i: number): ComplianceDrop {
  return {
    callId: `c${i}`,
    campaignId: '1',
    listId: '1',
    leadId: String(i + 1),
    answeredAtMs: NOW - DAY + i,
    dropWaitMs: 2_000,
    safeHarborAtMs: i % 2 ? null : NOW - DAY + i + 2_000,
    endedAtMs: null,
  };
}

/** The queries on the primary, as adapters/postgres/reports/reports-database.ts opens them. */
const onPrimary = (queries: ReportsQueries): ReportsDatabase => ({
  open: () =>
    Promise.resolve({
      queries,
      freshness: { source: 'primary', replayedAtMs: null, lagMs: null, fellBack: false },
    }),
});

/** Fake queries: records the ranges asked for and serves N drops in keyset pages. */
function fake(totalDrops: number) {
  const ranges: ReportRange[] = [];
  const pages: number[] = [];
  const queries: ReportsQueries = {
    agentTime: async (r) => (ranges.push(r), []),
    agentPerformance: async (r) => (ranges.push(r), []),
    outbound: async (r) => (ranges.push(r), []),
    complianceTotals: async () => [],
    complianceDrops: async (_from, _to, opts) => {
      const start = opts.after ? Number(opts.after.callId.slice(1)) + 1 : 0;
      const page = Array.from(
        { length: Math.max(0, Math.min(opts.limit, totalDrops - start)) },
        (_x, k) => drop(start + k),
      );
      pages.push(page.length);
      return page;
    },
    leadExists: async () => false,
    leadHistory: async () => [],
  };
  return { queries: onPrimary(queries), ranges, pages };
}

const filters = (over: Partial<ReportFilters> = {}): ReportFilters => ({
  from: NOW - 30 * DAY,
  to: NOW,
  format: 'json',
  ...over,
});

describe('ReportsService', () => {
  it('refuses a range longer than 366 days before any query runs', async () => {
    const f = fake(0);
    const s = new ReportsService(f.queries, new ManualClock(NOW));
    await expect(s.agentTime(filters({ from: NOW - 367 * DAY }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      s.outbound({ ...filters({ to: NOW - DAY, from: NOW }), groupBy: 'hour' }),
    ).rejects.toThrow('to must be after from');
    expect(f.ranges).toEqual([]);
  });

  it('refuses filters a report does not understand: list on agent time, agent on outbound', async () => {
    const s = new ReportsService(fake(0).queries, new ManualClock(NOW));
    await expect(s.agentTime(filters({ listId: '3' }))).rejects.toThrow('listId does not apply');
    await expect(s.outbound({ ...filters({ agentId: '3' }), groupBy: 'list' })).rejects.toThrow(
      'agentId does not apply',
    );
  });

  it('passes a one-year range and its filters through to the query', async () => {
    const f = fake(0);
    const s = new ReportsService(f.queries, new ManualClock(NOW));
    await s.agentPerformance(filters({ from: NOW - 366 * DAY, campaignId: '4', teamId: '2' }));
    expect(f.ranges).toEqual([
      {
        fromMs: NOW - 366 * DAY,
        toMs: NOW,
        campaignId: '4',
        listId: undefined,
        teamId: '2',
        agentId: undefined,
      },
    ]);
  });

  it('reads the compliance window as the 30 days before now and lists drops across pages', async () => {
    const f = fake(12_345);
    const s = new ReportsService(f.queries, new ManualClock(NOW));
    const r = await s.compliance({ format: 'json' });
    expect(r.fromMs).toBe(NOW - 30 * DAY);
    expect(r.toMs).toBe(NOW);
    expect(r.drops).toHaveLength(12_345);
    expect(new Set(r.drops.map((d) => d.callId)).size).toBe(12_345);
    expect(f.pages).toEqual([5_000, 5_000, 2_345]);
  });

  it('streams the auditor CSV: summary, blank line, header, one line per drop', async () => {
    const s = new ReportsService(fake(3).queries, new ManualClock(NOW));
    let text = '';
    for await (const l of (await s.complianceCsv({ format: 'csv' })).lines) text += l;
    const lines = text.split('\r\n');
    expect(lines[0]).toMatch(/^window_from_utc,/);
    expect(lines[1]).toBe('');
    expect(lines[2]).toMatch(
      /^call_id,campaign_id,list_id,lead_id,answered_at_utc,drop_wait_ms,safe_harbor_played/,
    );
    expect(lines[3]).toBe('c0,1,1,1,2026-05-31T00:00:00.000Z,2000,true,2026-05-31T00:00:02.000Z,');
    expect(lines[4]).toContain(',2000,false,,');
    expect(lines).toHaveLength(7); // 3 drops and the final CRLF
  });

  it('answers NotFound for the history of an unknown lead', async () => {
    const s = new ReportsService(fake(0).queries, new ManualClock(NOW));
    await expect(s.leadHistory('9')).rejects.toThrow('lead 9 not found');
  });
});
