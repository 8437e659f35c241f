import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { ReportFilters } from '@ringside/protocol';
import { ensureDatabase, migrate } from '../../apps/server/src/adapters/postgres/migrate.js';
import { createPool } from '../../apps/server/src/adapters/postgres/pool.js';
import { ReportsRepository } from '../../apps/server/src/adapters/postgres/reports/reports-repository.js';
import { reportsOnPrimary } from '../../apps/server/src/adapters/postgres/reports/reports-database.js';
import { ManualClock } from '../../apps/server/src/ports/clock.js';
import { ReportsService } from '../../apps/server/src/services/reports/reports-service.js';
import { nearestRank } from '../common/stats.js';
import { BENCH_END, existing, generate } from './generate.js';

/**
 * `npm run bench:reports [-- --json --iterations 20 --regen]`
 *
 * In its own database (BENCH_REPORTS_DATABASE_URL, default ringside_bench_reports), generates
 * 5,000,000 call_log and 20,000,000 agent_log rows once (reused while the sizes match), then
 * times every report through the ReportsService (the code the API runs, KPIs and the paged drop
 * list included) for the 30 days before BENCH_END, over one campaign and over all campaigns, and
 * for the same range shifted off the hour (partial buckets read raw): p50 / p95 of --iterations
 * runs after 2 warm-up runs. Goal: every report <= 1 s p95.
 * Prints a table, or JSON lines with --json.
 */
const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    calls: { type: 'string', default: '5000000' },
    'agent-logs': { type: 'string', default: '20000000' },
    iterations: { type: 'string', default: '20' },
    regen: { type: 'boolean', default: false },
  },
});
const CALLS = Number(values.calls);
const AGENT_LOGS = Number(values['agent-logs']);
const ITERATIONS = Math.max(1, Number(values.iterations));
const GOAL_MS = 1_000;
const DB_URL =
  process.env.BENCH_REPORTS_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/ringside_bench_reports';

const progress = (msg: string) => {
  if (!values.json) process.stderr.write(`${msg}\n`);
};

interface Result {
  report: string;
  scope: string;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  rows: number;
  ok: boolean;
}

const pct = (sorted: number[], p: number): number => nearestRank(sorted, p) ?? 0;

async function time(report: string, scope: string, run: () => Promise<number>): Promise<Result> {
  let rows = 0;
  for (let i = 0; i < 2; i++) rows = await run();
  const ms: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    rows = await run();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const p95 = pct(ms, 95);
  const r = {
    report,
    scope,
    p50Ms: pct(ms, 50),
    p95Ms: p95,
    maxMs: ms[ms.length - 1] ?? 0,
    rows,
    ok: p95 <= GOAL_MS,
  };
  progress(`${report} / ${scope}: p95 ${p95.toFixed(1)} ms`);
  return r;
}

async function main(): Promise<void> {
  await ensureDatabase(DB_URL);
  const pool = createPool(DB_URL, { max: 2 });
  await migrate(pool);
  let data = values.regen ? null : await existing(pool, CALLS, AGENT_LOGS);
  if (data) {
    progress(`reusing ${CALLS} call_log and ${AGENT_LOGS} agent_log rows`);
  } else {
    progress(`generating ${CALLS} call_log and ${AGENT_LOGS} agent_log rows (once)`);
    // From a freshly migrated schema: a generation cut short (its indexes dropped for the load)
    // must not leave the next one without them.
    await pool.query('DROP SCHEMA public CASCADE');
    await pool.query('CREATE SCHEMA public');
    await migrate(pool);
    data = await generate(pool, CALLS, AGENT_LOGS, progress);
  }
  const service = new ReportsService(
    reportsOnPrimary(new ReportsRepository(pool)),
    new ManualClock(BENCH_END.getTime()),
  );
  const to = BENCH_END.getTime();
  const from = to - 30 * 86_400_000;
  const base: ReportFilters = { from, to, format: 'json' };
  // A range that does not start or end on a UTC hour or day ("the last 30 days" at 18:37:21):
  // its partial buckets are read from the raw logs.
  const shift = -(5 * 3_600_000 + 22 * 60_000 + 39_000);
  const unaligned: ReportFilters = { from: from + shift, to: to + shift, format: 'json' };
  const scopes: [string, ReportFilters][] = [
    ['one campaign', { ...base, campaignId: data.campaignId }],
    ['all campaigns', base],
    ['one campaign, unaligned', { ...unaligned, campaignId: data.campaignId }],
    ['all campaigns, unaligned', unaligned],
  ];

  const results: Result[] = [];
  for (const [scope, f] of scopes) {
    results.push(
      await time('agent time', scope, async () => (await service.agentTime(f)).rows.length),
    );
    results.push(
      await time(
        'agent performance',
        scope,
        async () => (await service.agentPerformance(f)).rows.length,
      ),
    );
    for (const groupBy of ['hour', 'list', 'campaign'] as const) {
      results.push(
        await time(
          `outbound by ${groupBy}`,
          scope,
          async () => (await service.outbound({ ...f, groupBy })).rows.length,
        ),
      );
    }
    results.push(
      await time('drop-rate compliance (30 d, all drops)', scope, async () => {
        const r = await service.compliance({ to: f.to, campaignId: f.campaignId, format: 'json' });
        return r.drops.length;
      }),
    );
    results.push(
      await time('drop-rate compliance CSV export', scope, async () => {
        let lines = 0;
        const csv = await service.complianceCsv({
          to: f.to,
          campaignId: f.campaignId,
          format: 'csv',
        });
        for await (const _l of csv.lines) {
          lines++;
        }
        return lines;
      }),
    );
  }
  results.push(
    await time(
      'lead history',
      'one lead',
      async () => (await service.leadHistory(data.leadId)).events.length,
    ),
  );
  await pool.end();

  if (values.json) {
    for (const r of results) {
      process.stdout.write(
        `${JSON.stringify({ bench: 'reports', calls: CALLS, agentLogs: AGENT_LOGS, goalMs: GOAL_MS, ...r })}\n`,
      );
    }
    return;
  }
  const w = Math.max(...results.map((r) => r.report.length));
  const s = Math.max(...results.map((r) => r.scope.length));
  console.log(
    `${CALLS.toLocaleString('en-US')} call_log rows, ${AGENT_LOGS.toLocaleString('en-US')} agent_log rows; ` +
      `30 days before ${BENCH_END.toISOString()}; ${ITERATIONS} runs each`,
  );
  console.log(
    `${'report'.padEnd(w)}  ${'scope'.padEnd(s)}  ${'p50 ms'.padStart(8)}  ${'p95 ms'.padStart(8)}  ${'rows'.padStart(7)}  goal p95 <= ${GOAL_MS} ms`,
  );
  for (const r of results) {
    console.log(
      `${r.report.padEnd(w)}  ${r.scope.padEnd(s)}  ${r.p50Ms.toFixed(1).padStart(8)}  ${r.p95Ms
        .toFixed(1)
        .padStart(8)}  ${String(r.rows).padStart(7)}  ${r.ok ? 'ok' : 'MISSED'}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
