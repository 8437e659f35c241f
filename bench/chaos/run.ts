/**
 * npm run bench:chaos [-- --agents 40 --minutes 5 --fault-every 15 --restart-after 3 --pbx-away 30
 *                        --failovers N --pbx-aways N --warmup 20 --speed 10 --scenario S1
 *                        --seed 1 --json]
 *
 * The floor under faults (issue 16, point 4): bench:floor's floor (a pacing scenario's customers
 * at `--speed`, bot agents through the real API and WebSocket) on two simulated PBXes linked by a
 * trunk and a Redis Cluster (127.0.0.1:7200-7205, bus 17200-17205), every production role twice,
 * each in its own process (floor.ts). After `--warmup` seconds of dialing, for `--minutes`: a
 * random role process (never both of one role at once) killed with SIGKILL every
 * `--fault-every` seconds and started again `--restart-after` seconds later; `--failovers` Redis
 * masters failed over to their replicas (kill -9, the old master back as a replica); `--pbx-aways`
 * times one PBX away for `--pbx-away` seconds. Then the campaign is stopped, the floor drained,
 * the dialers stopped, and it prints the invariants (leads dialed twice, leads lost from the
 * hopper, calls left live in state, agents stuck: each must be 0), abandonment during the faults
 * (cap 3 %) and recovery per fault kind (p50, max); with --json one JSON object per row. Exit 1
 * when an invariant fails. Every fault is logged with its time on stderr. Everything it made
 * (processes, Redis nodes, database) is removed at the end, on an error and on SIGINT/SIGTERM.
 * Definitions: bench/chaos/checks.ts and docs/scaling.md ("Chaos").
 */
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { seededRng } from '../../apps/server/src/ports/clock.js';
import { repoRoot } from '../floor/processes.js';
import { floorPlay, loadScenario, ScenarioFileError } from '../floor/scenario.js';
import { ArgsError, faultSchedule, parseChaosArgs, type ChaosArgs } from './args.js';
import type { Fault } from './checks.js';
import { ChaosFloor } from './floor.js';
import { chaosRows, formatChaosTable } from './report.js';

const BENCH_CLUSTER_PORTS = [7200, 7201, 7202, 7203, 7204, 7205];
const log = (msg: string) =>
  process.stderr.write(`bench:chaos ${new Date().toISOString().slice(11, 23)} ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let floor: ChaosFloor | null = null;
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: cleaning up`);
    void (floor?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

const describe = (f: Fault) =>
  `${f.kind} ${f.target} (${f.note})${f.endMs ? `, undone after ${((f.endMs - f.atMs) / 1000).toFixed(1)} s` : ''}`;

async function run(args: ChaosArgs): Promise<number> {
  const sc = loadScenario(args.scenariosFile, args.scenario);
  const play = floorPlay(sc);
  const virtualHours = ((args.minutes * 60 + args.warmupS) * args.speed) / 3600;
  const f = new ChaosFloor({
    agents: args.agents,
    leads: Math.min(100_000, Math.max(2_000, Math.ceil(args.agents * virtualHours * 300))),
    speed: args.speed,
    seed: args.seed,
    profile: play.profile,
    wrapMs: Math.max(1, Math.round(play.wrapMs / args.speed)),
    dialMethod: 'predictive',
    dialLevel: 1.5,
    dropWaitMs: Math.min(2000, Math.round(play.dropWaitMs / args.speed)),
    ringTimeoutS: Math.max(15, Math.min(120, Math.round(sc.ringTimeoutS))),
    clusterPorts: BENCH_CLUSTER_PORTS,
    rehomeAfterMs: 10_000,
    log,
  });
  floor = f;
  const rng = seededRng(args.seed);
  const random = () => rng.next();
  try {
    await f.start();
    if (interrupted) throw new Error('interrupted');
    await f.go();
    log(`${args.agents} agents dialing ${sc.id} at speed ${args.speed}; warm-up ${args.warmupS} s`);
    await sleep(args.warmupS * 1000);
    const t0 = Date.now();
    const end = t0 + args.minutes * 60_000;
    const { failoversAtS, pbxAwaysAtS } = faultSchedule(args);
    const tasks: Array<Promise<unknown>> = [];
    const started = (p: Promise<Fault | Fault[]>) => {
      tasks.push(
        p.then(
          (x) => {
            for (const one of Array.isArray(x) ? x : [x]) log(describe(one));
          },
          (err: unknown) => log(`fault failed: ${(err as Error).message}`),
        ),
      );
    };
    // Role kills on their own clock; the failovers and PBX aways at their times.
    const down = new Set<string>();
    let nextKill = t0 + args.faultEveryS * 1000;
    let nextSnapshot = t0;
    let pbxNo = 0;
    while (Date.now() < end && !interrupted) {
      const atS = (Date.now() - t0) / 1000;
      while (failoversAtS.length && (failoversAtS[0] as number) <= atS) {
        failoversAtS.shift();
        log('redis failover...');
        started(f.failoverRedis(null, random));
      }
      while (pbxAwaysAtS.length && (pbxAwaysAtS[0] as number) <= atS) {
        pbxAwaysAtS.shift();
        const i = pbxNo++ % 2;
        log(`pbx ${i + 1} away for ${args.pbxAwayS} s...`);
        started(f.pbxAwayAndBack(i, args.pbxAwayS * 1000).then((r) => r.fault));
      }
      if (Date.now() >= nextSnapshot) {
        nextSnapshot += 10_000;
        f.snapshot().then(log, () => undefined);
      }
      if (Date.now() >= nextKill) {
        nextKill += args.faultEveryS * 1000;
        // Never both processes of one role down at once: each role keeps one.
        const up = f.slots.filter((s) => s.proc && !down.has(s.name) && !down.has(twin(s.name)));
        const victim = up[Math.floor(random() * up.length)];
        if (victim) {
          down.add(victim.name);
          log(`kill -9 ${victim.name}...`);
          started(
            f
              .killRoles([victim.name], args.restartAfterS * 1000)
              .finally(() => down.delete(victim.name)),
          );
        }
      }
      await sleep(200);
    }
    if (interrupted) throw new Error('interrupted');
    log('faults over; waiting for the last ones to be undone');
    await Promise.all(tasks);
    log('campaign off; draining');
    const drainMs = await f.drain(180_000, Math.max(5_000, 2 * (play.wrapMs / args.speed)));
    log(`drained in ${(drainMs / 1000).toFixed(1)} s; stopping the dialers`);
    await f.stopDialers();
    const check = await f.check();
    for (const x of check.faults)
      log(
        `${new Date(x.atMs).toISOString().slice(11, 23)} ${describe(x)}: recovery ${
          x.recoveredMs === null ? 'none' : `${(x.recoveredMs / 1000).toFixed(1)} s`
        }`,
      );
    for (const [what, xs] of [
      ['doubled', check.doubled],
      ['lost', check.lost],
      ['left live', check.leftLive],
      ['stuck', check.stuck],
    ] as const)
      if (xs.length) log(`${what}: ${xs.slice(0, 20).join(', ')}`);
    const rows = chaosRows(check, check.faults);
    if (args.json) for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
    else {
      log(
        `${cpus().length} cores, load ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} (a shared machine)`,
      );
      process.stdout.write(formatChaosTable(rows));
    }
    return rows.some((r) => r.ok === false) ? 1 : 0;
  } finally {
    await f.stop();
    floor = null;
  }
}

/** `dialer-1` <-> `dialer-2`. */
function twin(name: string): string {
  return name.endsWith('-1') ? `${name.slice(0, -2)}-2` : `${name.slice(0, -2)}-1`;
}

try {
  const args = parseChaosArgs(
    process.argv.slice(2),
    resolve(repoRoot, '../shared/pacing/scenarios.json'),
  );
  process.exit(await run(args));
} catch (err) {
  if (err instanceof ArgsError || err instanceof ScenarioFileError) {
    process.stderr.write(`bench:chaos: ${err.message}\n`);
    process.exit(2);
  }
  if (interrupted) {
    log('interrupted; cleaned up');
    process.exit(130);
  }
  process.stderr.write(`bench:chaos failed: ${(err as Error).message}\n`);
  process.exit(1);
}
