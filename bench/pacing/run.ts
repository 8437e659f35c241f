import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DialGuardRule } from '../../apps/server/src/domain/pacing/index.js';
import { aggregate, formatTable, withGap, type Row, type RunMetrics } from './metrics.js';
import { parseScenarioFile, type Scenario } from './scenario.js';
import type { PolicyName } from './policy.js';
import { runTask, type Task, type TaskResult } from './tasks.js';

/**
 * `npm run bench:pacing [files...] [--json] [--scenarios S1,S2] [--days N] [--seeds 1,2]
 * [--workers N] [--guard working|ready] [--policies a,b] [--theta X]`: runs every scenario under every policy and seed on
 * worker threads and prints the table (or, with --json, one JSON object per scenario, policy and
 * seed). `--guard` picks the no-agent rule for the production module's modes (default: the
 * dialer's own, DIAL_GUARD_RULE). `--theta` runs ours with the drop-rate ledger off at that fixed
 * drop-risk threshold, to trace its occupancy-versus-abandonment curve (not a compliant setting).
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const POLICIES: PolicyName[] = ['progressive', 'ratio', 'vicidial', 'ours', 'oracle'];
/** Run only when named: ours told every agent's exact free instant (docs/pacing.md, ablation). */
const KNOWN_POLICIES: PolicyName[] = [...POLICIES, 'ours-known-free'];

interface Options {
  files: string[];
  json: boolean;
  scenarios: string[] | null;
  days: number | null;
  seeds: number[] | null;
  workers: number;
  policies: PolicyName[];
  /** Print each task's wall time to stderr. */
  verbose: boolean;
  guard: DialGuardRule | undefined;
  theta: number | undefined;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    files: [],
    json: false,
    scenarios: null,
    days: null,
    seeds: null,
    workers: 2,
    policies: POLICIES,
    verbose: false,
    guard: undefined,
    theta: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') o.json = true;
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--scenarios') o.scenarios = value().split(',');
    else if (a === '--days') o.days = Number(value());
    else if (a === '--seeds') o.seeds = value().split(',').map(Number);
    else if (a === '--workers') o.workers = Math.max(0, Number(value()));
    else if (a === '--policies') {
      const names = value().split(',');
      const bad = names.filter((n) => !KNOWN_POLICIES.includes(n as PolicyName));
      if (bad.length > 0)
        throw new Error(
          `--policies: unknown ${bad.join(', ')} (known: ${KNOWN_POLICIES.join(', ')})`,
        );
      o.policies = names as PolicyName[];
    } else if (a === '--guard') {
      const g = value();
      if (g !== 'working' && g !== 'ready') throw new Error('--guard must be working or ready');
      o.guard = g;
    } else if (a === '--theta') {
      const t = Number(value());
      if (!(t > 0 && t <= 1)) throw new Error('--theta must be a number in (0, 1]');
      o.theta = t;
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.files.push(resolve(process.cwd(), a));
  }
  if (o.files.length === 0) o.files.push(resolve(repoRoot, '../shared/pacing/scenarios.json'));
  return o;
}

/** Runs tasks on a pool of worker threads (or inline with --workers 0). */
class Pool {
  private readonly idle: Worker[] = [];
  private readonly queue: {
    task: Task;
    done: (r: TaskResult) => void;
    fail: (e: Error) => void;
  }[] = [];
  private readonly all: Worker[] = [];

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      // A worker does not inherit tsx's loader: register it inside the worker, then load the
      // TypeScript entry.
      const entry = new URL('./worker.ts', import.meta.url).href;
      const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
      const w = new Worker(boot, { eval: true });
      this.all.push(w);
      this.idle.push(w);
    }
  }

  run(task: Task): Promise<TaskResult> {
    if (this.all.length === 0) return Promise.resolve(runTask(task));
    return new Promise((done, fail) => {
      this.queue.push({ task, done, fail });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop() as Worker;
      const job = this.queue.shift();
      if (!job) break;
      w.once('message', (msg: { ok: boolean; result?: TaskResult; error?: string }) => {
        this.idle.push(w);
        if (msg.ok && msg.result) job.done(msg.result);
        else job.fail(new Error(msg.error ?? 'worker failed'));
        this.pump();
      });
      w.postMessage(job.task);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  let scenarios: Scenario[] = o.files.flatMap((f) => parseScenarioFile(readFileSync(f, 'utf8'), f));
  if (o.scenarios) scenarios = scenarios.filter((s) => o.scenarios?.includes(s.id));
  scenarios = scenarios.map((s) => ({
    ...s,
    ...(o.days !== null ? { days: o.days } : {}),
    ...(o.seeds !== null ? { seeds: o.seeds } : {}),
  }));
  const t0 = performance.now();
  const pool = new Pool(o.workers);
  const results: RunMetrics[] = [];
  const levels = new Map<string, number>();
  const jobs: Promise<void>[] = [];
  const runs = (sc: Scenario, policy: PolicyName, dialLevel?: number): Promise<void>[] =>
    sc.seeds.map((seed) =>
      pool
        .run({
          kind: 'run',
          scenario: sc,
          policy,
          seed,
          days: sc.days,
          ...(dialLevel !== undefined ? { dialLevel } : {}),
          ...(o.guard ? { guard: o.guard } : {}),
          ...(o.theta !== undefined ? { theta: o.theta } : {}),
        })
        .then((r) => {
          if (o.verbose) console.error(`${sc.id} ${policy} seed ${seed}: ${r.wallS.toFixed(1)} s`);
          if (r.kind === 'run') {
            results.push(r.metrics);
            if (o.json) console.log(JSON.stringify(r.metrics));
          }
        }),
    );
  // Heaviest first (agents x days), ratio searches before the plain runs they gate.
  const order = [...scenarios].sort((a, b) => b.agents * b.days - a.agents * a.days);
  for (const sc of order) {
    if (!o.policies.includes('ratio')) continue;
    // Enough days that the search sees a few thousand human answers, fewer for large floors.
    const searchDays = Math.min(sc.days, Math.max(2, Math.min(10, Math.ceil(200 / sc.agents))));
    jobs.push(
      pool
        .run({
          kind: 'ratioSearch',
          scenario: sc,
          seeds: sc.seeds,
          days: searchDays,
          ...(o.guard ? { guard: o.guard } : {}),
        })
        .then(async (r) => {
          if (o.verbose) console.error(`${sc.id} ratio search: ${r.wallS.toFixed(1)} s`);
          if (r.kind !== 'ratioSearch') return;
          levels.set(sc.id, r.dialLevel);
          await Promise.all(runs(sc, 'ratio', r.dialLevel));
        }),
    );
  }
  for (const sc of order) for (const p of o.policies) if (p !== 'ratio') jobs.push(...runs(sc, p));
  await Promise.all(jobs);
  await pool.close();
  const wallS = (performance.now() - t0) / 1000;
  if (o.json) return;
  const rows: Omit<Row, 'g'>[] = [];
  for (const sc of scenarios)
    for (const p of o.policies) {
      const mine = results.filter((m) => m.scenario === sc.id && m.policy === p);
      if (mine.length === 0) continue;
      const row = aggregate(mine.sort((a, b) => a.seed - b.seed));
      const level = levels.get(sc.id);
      rows.push(p === 'ratio' && level !== undefined ? { ...row, dialLevel: level } : row);
    }
  console.log(formatTable(withGap(rows)));
  console.log(
    `\n${scenarios.length} scenarios x ${o.policies.length} policies, seeds ${[
      ...new Set(scenarios.flatMap((s) => s.seeds)),
    ].join(
      ',',
    )}, ${Math.max(...scenarios.map((s) => s.days))} days; wall ${wallS.toFixed(1)} s on ${o.workers} workers` +
      (o.theta !== undefined
        ? `; ours at a fixed theta ${o.theta} with the ledger off (a curve point, not compliant dialing)`
        : ''),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
